"""The staff-register extractor on real .xlsx files and a real PostgreSQL: Indonesian
dates, messy sheets, rejects in quarantine, files loaded once, corrected files replacing rows."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from extractors.registers import RegistersConfig, loaded_workbooks, run_extract
from extractors.registers.dates import parse_date, parse_sheet_month
from loaders import load_batch

VC = "Register Video Conference {year}.xlsx"
F2F = "Register Konsultasi Tatap Muka 2023.xlsx"


# ----------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 Desember 2023", dt.date(2023, 12, 4)),
        ("04 Desember 2023", dt.date(2023, 12, 4)),
        ("4 desember 2023", dt.date(2023, 12, 4)),
        ("Senin, 4 Desember 2023", dt.date(2023, 12, 4)),
        ("4 Des 2023", dt.date(2023, 12, 4)),
        ("4-Des-23", dt.date(2023, 12, 4)),
        ("4-Des-2023", dt.date(2023, 12, 4)),
        ("04/12/2023", dt.date(2023, 12, 4)),
        ("4/12/23", dt.date(2023, 12, 4)),
        ("04-12-2023", dt.date(2023, 12, 4)),
        ("4.12.2023", dt.date(2023, 12, 4)),
        ("2023-12-04", dt.date(2023, 12, 4)),
        ("2023-12-04T00:00:00", dt.date(2023, 12, 4)),
        ("30 Nopember 2023", dt.date(2023, 11, 30)),
        ("17 Agustus 2023", dt.date(2023, 8, 17)),
        ("1 Agt 2023", dt.date(2023, 8, 1)),
        ("2 Mei 2023", dt.date(2023, 5, 2)),
        ("4 Dec 2023", dt.date(2023, 12, 4)),
        ("4 Desember", dt.date(2023, 12, 4)),  # no year: the sheet's
        (45264, dt.date(2023, 12, 4)),  # an Excel serial left in a General cell
        ("45264", dt.date(2023, 12, 4)),
        (dt.datetime(2023, 12, 4, 0, 0), dt.date(2023, 12, 4)),  # a real Excel date
        (dt.date(2023, 12, 4), dt.date(2023, 12, 4)),
    ],
)
def test_indonesian_dates_are_read(text, expected):
    assert parse_date(text, default_year=2023) == expected


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("31 Nopember 2023", "out of range"),
        ("29 Februari 2023", "out of range"),
        ("13/13/2023", "month"),
        ("4 Dessember 2023", "unknown month"),
        ("besok", "not a date"),
        ("", "empty"),
        (12.5, "serial"),
        (7, "serial"),
        ("4 Desember", "no year"),  # without a sheet year to fall back on
    ],
)
def test_what_is_not_a_date_says_why(value, why):
    with pytest.raises(ValueError, match=why):
        parse_date(value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Desember 2023", dt.date(2023, 12, 1)),
        ("DES 2023", dt.date(2023, 12, 1)),
        ("Des-23", dt.date(2023, 12, 1)),
        ("Agt-23", dt.date(2023, 8, 1)),
        ("MEI", dt.date(2023, 5, 1)),  # the workbook's year
        ("Nopember 2023", dt.date(2023, 11, 1)),
        ("12-2023", dt.date(2023, 12, 1)),
        ("2023-12", dt.date(2023, 12, 1)),
        ("Desember 2023 (2)", dt.date(2023, 12, 1)),  # Excel's name for a copied sheet
        ("Rekap", None),
        ("Sheet1", None),
        ("Grafik 2023", None),
    ],
)
def test_sheet_names_give_their_month(name, expected):
    assert parse_sheet_month(name, default_year=2023) == expected


# ------------------------------------------------------------------- workbooks


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], *, total: bool = True, after_total=()):
    ws = wb.create_sheet(title)
    last = chr(ord("A") + len(header) - 1)
    ws["A1"] = "REGISTER DJPK"
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = f"Bulan {title}"
    ws.merge_cells(f"A2:{last}2")
    ws.append([])
    ws.append(header)
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row] if row else [])
    if total:
        ws.append(["Jumlah", None, *([None] * (len(header) - 3)), len(rows)])
        ws.merge_cells(f"A{ws.max_row}:B{ws.max_row}")
    for row in after_total:
        ws.append([None, *row])
    ws.append([])
    ws.append([*([None] * (len(header) - 1)), "Jakarta, 29 Desember 2023"])
    return ws


def _save(wb: Workbook, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if "Sheet" in wb.sheetnames:
        del wb["Sheet"]
    path = folder / name
    wb.save(path)
    return path


def _vc_workbook(folder: Path, year: int, rows: list[list]) -> Path:
    wb = Workbook()
    _sheet(wb, f"Desember {year}", ["No", "Tanggal", "Daerah", "Topik"], rows)
    return _save(wb, folder, VC.format(year=year))


def _records(batch, stream: str) -> list[dict]:
    path = batch.folder / f"{stream}.csv"
    if not path.exists():
        return []
    return [json.loads(r["record"]) for r in csv.DictReader(open(path, encoding="utf-8"))]


def _rejects(batch, stream: str) -> list[dict]:
    path = batch.folder / f"{stream}.rejects.jsonl"
    return [json.loads(line) for line in open(path, encoding="utf-8")] if path.exists() else []


def test_a_messy_sheet_gives_exactly_its_rows(tmp_path, landing):
    """Title rows, a merged date over two visits, blank rows, a note row, pre-numbered empty
    rows, the total and the signature: only the six visits come out, dates and guests read."""
    wb = Workbook()
    rekap = wb.active
    rekap.title = "Rekap"
    rekap.append(["Bulan", "Jumlah"])
    ws = wb.create_sheet("Desember 2023")
    ws["A1"] = "REGISTER KONSULTASI TATAP MUKA DJPK"
    ws.merge_cells("A1:E1")
    ws["A2"] = "Bulan Desember 2023"
    ws.merge_cells("A2:E2")
    ws.append([])
    ws.append(["No", "Tanggal", "Daerah", "Topik", "Jumlah Tamu"])  # row 4
    ws.append([1, dt.datetime(2023, 12, 4), "Prov. Papua (DPRD)", "Otsus", 5])  # row 5
    ws.append([2, "5 Desember 2023", "Kab. Rokan Hulu", "PDRD", "3 orang"])  # row 6
    ws.append([])  # row 7
    ws.append([3, "07/12/2023", "Kab. Sleman", "DAU, PIKD", 2])  # row 8
    ws.append([4, None, "Kab. Maluku Tenggara", "PDRD", 3])  # row 9: same day, date merged down
    ws.merge_cells("B8:B9")
    ws.append([5, "11-Des-23", "Kab. Kendal", "Hibah", 4])  # row 10
    ws.append([6, 45271, " Kab.  Gresik ", "Hibah", 4.0])  # row 11: serial date, stray spaces
    ws.append(["Kunjungan Kab. Jember dijadwalkan ulang ke Januari"])  # row 12: a note across the row
    ws.merge_cells("A12:E12")
    ws.append([7])  # row 13: numbered, never filled
    ws.append(["Jumlah", None, None, None, "=SUM(E5:E13)"])  # row 14
    ws.merge_cells("A14:B14")
    ws.append([])
    ws.append([None, None, None, None, "Jakarta, 29 Desember 2023"])
    ws.append([None, None, None, None, "Mengetahui,"])
    folder = tmp_path / "share"
    _save(wb, folder, F2F)

    batch, report = run_extract(RegistersConfig(folder), landing)

    rows = _records(batch, "face_to_face_consultations")
    assert [(r["sheet_row"], r["date"], r["region"], r["topic"], r["guests"]) for r in rows] == [
        (5, "2023-12-04", "Prov. Papua (DPRD)", "Otsus", 5),
        (6, "2023-12-05", "Kab. Rokan Hulu", "PDRD", 3),
        (8, "2023-12-07", "Kab. Sleman", "DAU, PIKD", 2),
        (9, "2023-12-07", "Kab. Maluku Tenggara", "PDRD", 3),
        (10, "2023-12-11", "Kab. Kendal", "Hibah", 4),
        (11, "2023-12-11", "Kab. Gresik", "Hibah", 4),
    ]
    assert {r["sheet"] for r in rows} == {"Desember 2023"} and {r["workbook"] for r in rows} == {F2F}
    assert _rejects(batch, "face_to_face_consultations") == []
    [book] = _records(batch, "workbooks")
    assert book["ignored_sheets"] == ["Rekap"]
    [sheet] = book["sheets"]
    assert (sheet["month"], sheet["header_row"], sheet["rows"], sheet["total_row"], sheet["note_rows"]) == (
        "2023-12",
        4,
        6,
        14,
        1,
    )
    assert report.read == [F2F]


def test_a_two_row_merged_header_is_read(tmp_path, landing):
    """PPID: "Pemohon" merged over "Nama" and "Instansi"; the other header cells merged down."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Desember 2023"
    ws["A1"] = "REGISTER PERMOHONAN INFORMASI PPID DJPK"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["No", "Tanggal Permohonan", "Pemohon", None, "Data yang Diminta", "Status"])  # row 3
    ws.append([None, None, "Nama", "Instansi", None, None])  # row 4
    for col in "ABEF":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("C3:D3")
    ws.append(
        [
            1,
            "4 Desember 2023",
            "Siti Rahman",
            "Universitas Andalas",
            "Data realisasi APBD Kota Padang TA 2022",
            "Selesai",
        ]
    )
    ws.append([2, "Selasa, 5 Desember 2023", "Budi Santoso", None, "Rincian alokasi DAU TA 2024", None])
    _save(wb, tmp_path / "share", "Register Permohonan Data PPID 2023.xlsx")

    batch, _ = run_extract(RegistersConfig(tmp_path / "share"), landing)

    rows = _records(batch, "ppid_requests")
    assert [
        (r["sheet_row"], r["date"], r["requester"], r["institution"], r["data_requested"], r["status"]) for r in rows
    ] == [
        (5, "2023-12-04", "Siti Rahman", "Universitas Andalas", "Data realisasi APBD Kota Padang TA 2022", "Selesai"),
        (6, "2023-12-05", "Budi Santoso", None, "Rincian alokasi DAU TA 2024", None),
    ]


def test_rejected_rows_are_reported_and_quarantined_while_the_rest_load(tmp_path, landing, conn):
    folder = tmp_path / "share"
    _vc_workbook(
        folder,
        2023,
        [
            ["4 Desember 2023", "BPK Prov. Kalimantan Barat", "Pembiayaan"],  # row 5
            ["31 Nopember 2023", "Prov. Maluku", "JFAKPD"],  # row 6: no such day
            ["28/11/2023", "Prov. Riau", "DBH"],  # row 7: November's row in December's sheet
            ["11 Desember 2023", "Kab. Nias Selatan", None],  # row 8: no topic
            ["19 Desember 2023", "Kota Mojokerto", "PDRD"],  # row 9
        ],
    )
    wb = Workbook()
    _sheet(
        wb,
        "Desember 2023",
        ["No", "Tanggal", "Daerah", "Topik", "Jumlah Tamu"],
        [
            ["4 Desember 2023", "Prov. Papua (DPRD)", "Otsus", 5],  # row 5
            ["5 Desember 2023", "Kab. Rokan Hulu", "PDRD", -3],  # row 6: negative guests
        ],
        after_total=[["6 Desember 2023", "Kab. Mojokerto", "IF", 5]],
    )  # row 8: under the total (row 7)
    _save(wb, folder, F2F)

    batch, _ = run_extract(RegistersConfig(folder), landing)
    result = load_batch(conn, batch.folder)

    loaded = conn.execute(
        "select workbook, sheet, sheet_row from raw.registers__video_conferences order by sheet_row"
    ).fetchall()
    assert loaded == [(VC.format(year=2023), "Desember 2023", 5), (VC.format(year=2023), "Desember 2023", 9)]
    assert conn.execute("select sheet_row from raw.registers__face_to_face_consultations").fetchall() == [(5,)]
    assert result.streams["video_conferences"].quarantined == 3
    quarantined = conn.execute(
        "select stream, record_key, reason from raw._quarantine where source = 'registers' order by stream, record_key"
    ).fetchall()
    vc, f2f = VC.format(year=2023), F2F
    expected = [
        (
            "face_to_face_consultations",
            f"workbook={f2f!r}, sheet='Desember 2023', row=6",
            "guests must be at least 1, got -3",
        ),
        (
            "face_to_face_consultations",
            f"workbook={f2f!r}, sheet='Desember 2023', row=8",
            "below the total row (row 7)",
        ),
        ("video_conferences", f"workbook={vc!r}, sheet='Desember 2023', row=6", "not a date: '31 Nopember 2023'"),
        (
            "video_conferences",
            f"workbook={vc!r}, sheet='Desember 2023', row=7",
            "2023-11-28 is outside the sheet's month 2023-12",
        ),
        (
            "video_conferences",
            f"workbook={vc!r}, sheet='Desember 2023', row=8",
            "topic: Value error, required, but the cell is empty",
        ),
    ]
    assert [(s, k) for s, k, _ in quarantined] == [(s, k) for s, k, _ in expected]
    for (_, _, reason), (_, _, why) in zip(quarantined, expected, strict=False):
        assert why in reason
    record = conn.execute("select record from raw._quarantine where record_key like %s", ("%row=7%",)).fetchone()[0]
    assert record["region"] == "Prov. Riau" and record["date"] == "28/11/2023"  # the row as typed, to fix at the source


def test_a_file_already_loaded_is_not_loaded_again_nor_its_copy(tmp_path, landing, conn):
    folder = tmp_path / "share"
    path = _vc_workbook(
        folder, 2023, [["4 Desember 2023", "Prov. Riau", "DBH"], ["5 Desember 2023", "Prov. Maluku", "DAU"]]
    )
    batch, _ = run_extract(RegistersConfig(folder), landing, loaded_workbooks(conn))
    load_batch(conn, batch.folder)
    before = conn.execute(
        "select sheet_row, _loaded_at, _batch_id from raw.registers__video_conferences order by 1"
    ).fetchall()

    shutil.copy(path, folder / "Register Video Conference 2023 - Copy.xlsx")  # same bytes, another name
    again, report = run_extract(RegistersConfig(folder), landing, loaded_workbooks(conn))
    result = load_batch(conn, again.folder)

    assert report.skipped == [path.name]
    assert report.duplicates == {"Register Video Conference 2023 - Copy.xlsx": path.name}
    assert "video_conferences" not in again.streams  # nothing of the register was read again
    assert "video_conferences" not in result.streams
    after = conn.execute(
        "select sheet_row, _loaded_at, _batch_id from raw.registers__video_conferences order by 1"
    ).fetchall()
    assert after == before
    dups = dict(conn.execute("select workbook, record ->> 'duplicate_of' from raw.registers__workbooks").fetchall())
    assert dups == {path.name: None, "Register Video Conference 2023 - Copy.xlsx": path.name}

    third, report = run_extract(RegistersConfig(folder), landing, loaded_workbooks(conn))
    assert sorted(report.skipped) == sorted([path.name, "Register Video Conference 2023 - Copy.xlsx"])
    assert report.read == [] and third.streams["workbooks"].records == 0


def test_a_corrected_workbook_replaces_its_rows_and_leaves_the_others(tmp_path, landing, conn):
    folder = tmp_path / "share"
    _vc_workbook(folder, 2022, [["5 Desember 2022", "Kab. Wajo", "DAU"]])
    _vc_workbook(
        folder,
        2023,
        [
            ["4 Desember 2023", "BPK Prov. Kalimantan Barat", "Pembiayaan"],
            ["5 Desember 2023", "Prov. Maluku", "JFAKPD"],
            ["6 Desember 2023", "Kab. Typo", "DBH"],
            ["12 Desember 2023", "Prov. Riau", "DBH"],
        ],
    )
    first, _ = run_extract(RegistersConfig(folder), landing, loaded_workbooks(conn))
    load_batch(conn, first.folder)
    old_2022 = conn.execute(
        "select sheet_row, _loaded_at, _batch_id from raw.registers__video_conferences where workbook = %s",
        (VC.format(year=2022),),
    ).fetchall()

    # staff delete the wrong row and fix a topic: the rows below move up one
    (folder / VC.format(year=2023)).unlink()
    _vc_workbook(
        folder,
        2023,
        [
            ["4 Desember 2023", "BPK Prov. Kalimantan Barat", "Pembiayaan"],
            ["5 Desember 2023", "Prov. Maluku", "JF AKPD"],
            ["12 Desember 2023", "Prov. Riau", "DBH"],
        ],
    )
    second, report = run_extract(RegistersConfig(folder), landing, loaded_workbooks(conn))
    result = load_batch(conn, second.folder)

    assert report.read == [VC.format(year=2023)] and report.skipped == [VC.format(year=2022)]
    rows = conn.execute(
        "select sheet_row, record ->> 'date', record ->> 'region', record ->> 'topic' from raw.registers__video_conferences "
        "where workbook = %s order by sheet_row",
        (VC.format(year=2023),),
    ).fetchall()
    assert rows == [
        (5, "2023-12-04", "BPK Prov. Kalimantan Barat", "Pembiayaan"),
        (6, "2023-12-05", "Prov. Maluku", "JF AKPD"),
        (7, "2023-12-12", "Prov. Riau", "DBH"),
    ]
    assert result.streams["video_conferences"].deleted == 1  # the old row 8
    assert (
        conn.execute(
            "select sheet_row, _loaded_at, _batch_id from raw.registers__video_conferences where workbook = %s",
            (VC.format(year=2022),),
        ).fetchall()
        == old_2022
    )
    sha = conn.execute(
        "select record ->> 'sha256' from raw.registers__workbooks where workbook = %s", (VC.format(year=2023),)
    ).fetchone()[0]
    assert sha == hashlib.sha256((folder / VC.format(year=2023)).read_bytes()).hexdigest()


def test_sheets_that_cannot_be_counted_are_reported(tmp_path, landing, conn):
    """A sheet of another year, a second sheet for the same month, a sheet without the
    expected header, a file no register matches: each is reported, nothing is counted twice."""
    folder = tmp_path / "share"
    wb = Workbook()
    _sheet(wb, "Desember 2023", ["No", "Tanggal", "Daerah", "Topik"], [["4 Desember 2023", "Prov. Riau", "DBH"]])
    _sheet(wb, "Des 2023 (2)", ["No", "Tanggal", "Daerah", "Topik"], [["4 Desember 2023", "Prov. Riau", "DBH"]])
    _sheet(wb, "Desember 2022", ["No", "Tanggal", "Daerah", "Topik"], [["5 Desember 2022", "Kab. Wajo", "DAU"]])
    _sheet(wb, "November 2023", ["No", "Hari", "Keterangan"], [["Senin", "rapat"]])
    _save(wb, folder, VC.format(year=2023))
    other = Workbook()
    other.active.title = "Daftar Hadir"
    _save(other, folder, "Daftar Hadir Rapat 2023.xlsx")
    (folder / "~$Register Video Conference 2023.xlsx").write_bytes(b"lock")

    batch, _ = run_extract(RegistersConfig(folder), landing)
    load_batch(conn, batch.folder)

    assert conn.execute("select count(*) from raw.registers__video_conferences").fetchone()[0] == 1
    reasons = dict(conn.execute("select record_key, reason from raw._quarantine where stream = 'workbooks'").fetchall())
    vc = VC.format(year=2023)
    assert (
        reasons[f"workbook={vc!r}, sheet='Desember 2022'"]
        == "sheet is named after 2022-12, but the workbook is for 2023"
    )
    assert reasons[f"workbook={vc!r}, sheet='Des 2023 (2)'"].startswith("a second sheet for 2023-12")
    assert reasons[f"workbook={vc!r}, sheet='November 2023'"].startswith("no header row")
    assert reasons["workbook='Daftar Hadir Rapat 2023.xlsx'"] == "no register matches the file name"
    assert len(reasons) == 4  # the lock file is not a workbook
