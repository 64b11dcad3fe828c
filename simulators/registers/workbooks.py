"""The register workbooks as staff keep them: one per register per year, one sheet per month.

Layout of a month sheet (``write_sheet``): a merged title row and a "Bulan ..."
row, a blank row, the header (two rows with merged cells for PPID), the rows
numbered from 1 (same-day dates sometimes merged down, a stray blank row now and
then, dates typed every which way), a few pre-numbered empty rows, the "Jumlah"
row, and a signature block. Each workbook starts with a "Rekap" sheet of
formulas. Headers differ between the 2022 and 2023 workbooks, as they do when a
new year's file is started by someone else.

Files are byte-for-byte deterministic (fixed document properties and zip
timestamps), so the same seed gives the same sha256.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from simulators.scenario.registers import RegistersWorld, Row
from simulators.scenario.world import BULAN

FILE_NAMES = {
    "video_conferences": "Register Video Conference {year}.xlsx",
    "face_to_face_consultations": "Register Konsultasi Tatap Muka {year}.xlsx",
    "webinars": "Register Webinar FGD Workshop Sosialisasi {year}.xlsx",
    "ppid_requests": "Register Permohonan Data PPID {year}.xlsx",
    "complaints": "Register Pengaduan dan Keluhan {year}.xlsx",
    "instagram_village_followers": "Register Akun Desa Pengikut Instagram {year}.xlsx",
}
TITLES = {
    "video_conferences": "REGISTER LAYANAN VIDEO CONFERENCE DJPK",
    "face_to_face_consultations": "REGISTER KONSULTASI TATAP MUKA DJPK",
    "webinars": "DAFTAR WEBINAR/FGD/WORKSHOP/SOSIALISASI DJPK",
    "ppid_requests": "REGISTER PERMOHONAN INFORMASI PPID DJPK",
    "complaints": "REKAPITULASI PENGADUAN DAN KELUHAN",
    "instagram_village_followers": "DAFTAR AKUN PEMERINTAH DESA PENGIKUT INSTAGRAM @ditjenpk",
}
# (header label, field) per register; the older workbooks use other labels. A tuple label is a
# parent cell merged over its sub-columns (second header row).
HEADERS: dict[str, dict[str, list[tuple[Any, str | None]]]] = {
    "video_conferences": {
        "new": [("No", None), ("Tanggal", "date"), ("Daerah", "region"), ("Topik", "topic")],
        "old": [("No.", None), ("Hari/Tanggal", "date"), ("Pemda", "region"), ("Materi", "topic")],
    },
    "face_to_face_consultations": {
        "new": [("No", None), ("Tanggal", "date"), ("Daerah", "region"), ("Topik", "topic"), ("Jumlah Tamu", "guests")],
        "old": [
            ("NO", None),
            ("TANGGAL", "date"),
            ("NAMA PEMDA", "region"),
            ("TOPIK", "topic"),
            ("JML TAMU", "guests"),
        ],
    },
    "webinars": {
        "new": [("No", None), ("Tanggal", "date"), ("Jenis", "kind"), ("Judul Kegiatan", "title")],
        "old": [("No", None), ("Tanggal Pelaksanaan", "date"), ("Nama Kegiatan", "title")],
    },
    "ppid_requests": {
        "new": [
            ("No", None),
            ("Tanggal Permohonan", "date"),
            (("Pemohon", "Nama"), "requester"),
            (("Pemohon", "Instansi"), "institution"),
            ("Data yang Diminta", "data_requested"),
            ("Status", "status"),
        ],
    },
    "complaints": {
        "new": [("No", None), ("Tanggal", "date"), ("Jenis", "kind"), ("Uraian", "description")],
    },
    "instagram_village_followers": {
        "new": [("No", None), ("Tanggal Diketahui", "date"), ("Akun Instagram", "account"), ("Nama Desa", "village")],
    },
}
FIXED_TIME = datetime(2024, 1, 2, 8, 0, 0)


def sheet_name(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    if m == 5:
        return "MEI"  # no year: the workbook's
    if m == 8:
        return f"Agt-{y % 100:02d}"
    return f"{BULAN[m - 1]} {y}"


def _date_cell(rng: random.Random, d: Any) -> tuple[Any, str | None]:
    """The value a staff member put in a date cell, and its number format."""
    if not isinstance(d, date):
        return d, None  # already text (a typo), or empty
    style = rng.choices(["excel", "text", "slash", "dmy", "serial", "weekday"], [35, 30, 15, 10, 5, 5])[0]
    name = BULAN[d.month - 1]
    if style == "excel":
        return datetime(d.year, d.month, d.day), "d mmmm yyyy"
    if style == "text":
        return f"{d.day} {name} {d.year}", None
    if style == "slash":
        return f"{d.day:02d}/{d.month:02d}/{d.year}", None
    if style == "dmy":
        return f"{d.day}-{name[:3]}-{d.year % 100:02d}", None
    if style == "serial":
        return (d - date(1899, 12, 30)).days, None
    weekday = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"][d.weekday()]
    return f"{weekday}, {d.day} {name} {d.year}", None


def _value(kind: str, fld: str, row: Row, rng: random.Random) -> Any:
    v = row.values.get(fld)
    if fld == "account" and v and not v.startswith("@") and rng.random() < 0.25:
        return rng.choice([f"@{v}", f"https://www.instagram.com/{v}/"])
    if fld == "guests" and isinstance(v, int) and v > 0 and rng.random() < 0.1:
        return f"{v} orang"
    return v


def write_sheet(ws, kind: str, month: str, rows: list[Row], layout: str, seed: int) -> None:
    from openpyxl.styles import Alignment, Font

    rng = random.Random(f"{seed}/registers/{kind}/{month}/layout")
    header = HEADERS[kind][layout]
    width = len(header)
    last = chr(ord("A") + width - 1)
    y, m = int(month[:4]), int(month[5:7])
    ws["A1"] = TITLES[kind]
    ws["A1"].font = Font(bold=True, size=12)
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = f"Bulan {BULAN[m - 1]} {y}"
    ws.merge_cells(f"A2:{last}2")
    r = 4
    two_level = any(isinstance(label, tuple) for label, _ in header)
    for c, (label, _) in enumerate(header, start=1):
        cell = ws.cell(r, c, label[0] if isinstance(label, tuple) else label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if two_level:
            if isinstance(label, tuple):
                ws.cell(r + 1, c, label[1]).font = Font(bold=True)
            else:
                ws.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
    if two_level:  # the parent label merged across its sub-columns
        cols = [c for c, (label, _) in enumerate(header, start=1) if isinstance(label, tuple)]
        ws.merge_cells(start_row=r, start_column=cols[0], end_row=r, end_column=cols[-1])
        r += 1
    r += 1
    first = r
    below = [row for row in rows if row.bad == "below_total"]
    table = [row for row in rows if row.bad != "below_total"]
    date_col = next(c for c, (_, f) in enumerate(header, start=1) if f == "date")
    n = 0
    prev_date, prev_row = None, None
    if not table:
        ws.cell(r, 1, "NIHIL")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        r += 1
    for row in table:
        if n and rng.random() < 0.06:
            r += 1  # a stray blank row
        n += 1
        d = row.values.get("date")
        merge = (
            isinstance(d, date)
            and d == prev_date
            and prev_row == r - 1
            and rng.random() < 0.5
            and kind in ("video_conferences", "face_to_face_consultations")
        )
        for c, (_, fld) in enumerate(header, start=1):
            if fld is None:
                ws.cell(r, c, n)
            elif fld == "date":
                if merge:
                    continue
                value, fmt = _date_cell(rng, d)
                cell = ws.cell(r, c, value)
                if fmt:
                    cell.number_format = fmt
            else:
                ws.cell(r, c, _value(kind, fld, row, rng))
        if merge:  # same day as the row above: staff merge the date cells
            top = r - 1
            while top - 1 >= first and ws.cell(top, date_col).coordinate in ws.merged_cells:
                top -= 1
            for rng_ in list(ws.merged_cells.ranges):
                if rng_.min_col == date_col and rng_.max_row == r - 1 and rng_.min_row < r - 1:
                    top = rng_.min_row
                    ws.unmerge_cells(str(rng_))
            ws.merge_cells(start_row=top, start_column=date_col, end_row=r, end_column=date_col)
        prev_date, prev_row = (d if isinstance(d, date) else None), r
        r += 1
    for _ in range(rng.randint(0, 3)):  # numbered in advance, never filled
        n += 1
        ws.cell(r, 1, n)
        r += 1
    ws.cell(r, 1, "Jumlah")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    total_col = chr(ord("A") + width - 1)
    if kind == "face_to_face_consultations":
        ws.cell(r, width, f"=SUM({total_col}{first}:{total_col}{r - 1})")
    else:
        ws.cell(r, width, f"=COUNTA({chr(ord('A') + date_col - 1)}{first}:{chr(ord('A') + date_col - 1)}{r - 1})")
    r += 1
    for row in below:
        for c, (_, fld) in enumerate(header, start=1):
            if fld == "date":
                ws.cell(r, c, _date_cell(rng, row.values.get("date"))[0])
            elif fld:
                ws.cell(r, c, _value(kind, fld, row, rng))
        r += 1
    r += 1
    last_day = date(y + (m == 12), m % 12 + 1, 1).toordinal() - 1
    ws.cell(r, width, f"Jakarta, {date.fromordinal(last_day).day} {BULAN[m - 1]} {y}")
    ws.cell(r + 1, width, "Mengetahui,")
    ws.cell(r + 2, width, "Kepala Subbagian Layanan Informasi")
    for c in range(1, width + 1):
        ws.column_dimensions[chr(ord("A") + c - 1)].width = 14 if c <= 2 else 40


def workbook_bytes(world: RegistersWorld, kind: str, year: int) -> bytes:
    from openpyxl import Workbook

    months = [m for m in world.months[kind] if m.startswith(str(year))]
    layout = "old" if year < 2023 and "old" in HEADERS[kind] else "new"
    wb = Workbook()
    rekap = wb.active
    rekap.title = "Rekap"
    rekap.append(["Bulan", "Jumlah"])
    for month in months:
        ws = wb.create_sheet(sheet_name(month))
        write_sheet(ws, kind, month, world.rows[kind][month], layout, world.seed)
        rekap.append([sheet_name(month), f"=COUNTA('{ws.title}'!B6:B400)"])
    wb.properties.creator = "Contact Center DJPK"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue())


def _deterministic_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 2, 8, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time as "modified"
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    body,
                )
            dst.writestr(fixed, body)
    return out.getvalue()


def write_workbooks(world: RegistersWorld, folder: Path, mess: bool = True) -> list[Path]:
    """Every register's workbooks for the world's years into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, months in world.months.items():
        for year in sorted({int(m[:4]) for m in months}):
            path = folder / FILE_NAMES[kind].format(year=year)
            path.write_bytes(workbook_bytes(world, kind, year))
            paths.append(path)
    if mess:
        webinars = folder / FILE_NAMES["webinars"].format(year=2023)
        if webinars.exists():  # a copy saved beside the original
            copy = folder / FILE_NAMES["webinars"].format(year="2023 - Copy")
            copy.write_bytes(webinars.read_bytes())
            paths.append(copy)
        lock = folder / ("~$" + FILE_NAMES["ppid_requests"].format(year=2023))  # Excel's owner file, left by a crash
        lock.write_bytes(b"\x0bContact Center" + b"\x00" * 40)
    return paths
