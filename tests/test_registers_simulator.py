"""The registers stand-in: workbooks of the seeded world, deterministic, calibrated to the
published December 2023 report, and read back by the extractor row for row."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from extractors.registers import RegistersConfig, run_extract
from simulators.scenario.registers import (
    DEC_2023_FACE_TO_FACE,
    DEC_2023_VIDEO_CONFERENCES,
    DEC_2023_WEBINARS,
    expected_counts,
    generate,
)


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory):
    from simulators.registers import stand_in

    running = stand_in.start(2023, tmp_path_factory.mktemp("registers"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def extracted(stand_in, tmp_path_factory):
    folder = Path(json.loads(stand_in.env["AIRFLOW_CONN_REGISTERS_FOLDER"])["extra"]["path"])
    batch, report = run_extract(RegistersConfig(folder), tmp_path_factory.mktemp("landing"), full_refresh=True)
    return folder, batch, report


def _records(batch, stream):
    return [json.loads(r["record"]) for r in csv.DictReader(open(batch.folder / f"{stream}.csv", encoding="utf-8"))]


def test_the_calibrated_figures_hold_in_the_scenario():
    e = expected_counts(2023)
    year = lambda kind: sum(n for m, n in e[kind].items() if m.startswith("2023"))  # noqa: E731
    assert (e["video_conferences"]["2023-12"], year("video_conferences")) == (5, 89)
    assert (e["face_to_face_consultations"]["2023-12"], year("face_to_face_consultations")) == (30, 224)
    assert [e["webinars"][m] for m in ("2023-12", "2023-11", "2022-12")] + [year("webinars")] == [4, 10, 5, 83]
    assert [e["ppid_requests"][m] for m in ("2023-12", "2023-11", "2022-12")] + [year("ppid_requests")] == [
        17,
        21,
        16,
        162,
    ]
    assert (e["instagram_village_followers_total"]["2023-12"], e["instagram_village_followers"]["2023-12"]) == (1872, 2)
    assert [e[f"complaints_{k}"]["2023-12"] for k in ("pengaduan", "keluhan_layanan", "keluhan_kebijakan")] == [3, 1, 0]
    assert [year(f"complaints_{k}") for k in ("pengaduan", "keluhan_layanan", "keluhan_kebijakan")] == [34, 9, 5]


def test_same_seed_same_bytes_other_seed_other_world(tmp_path):
    from simulators.registers import write_workbooks

    a = write_workbooks(generate(7), tmp_path / "a")
    b = write_workbooks(generate(7), tmp_path / "b")
    digest = lambda paths: [(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in paths]  # noqa: E731
    assert digest(a) == digest(b)
    assert expected_counts(8)["video_conferences"] != expected_counts(7)["video_conferences"]
    assert expected_counts(8)["video_conferences"]["2023-12"] == 5  # calibration holds for every seed


def test_the_extractor_reads_back_every_valid_row_and_rejects_every_bad_one(extracted):
    _, batch, report = extracted
    world = generate(2023)
    expected = expected_counts(2023)
    for kind in ("video_conferences", "face_to_face_consultations", "webinars", "ppid_requests"):
        got = Counter(r["sheet_month"][:7] for r in _records(batch, kind))
        assert dict(got) == {m: n for m, n in expected[kind].items() if n}, kind
    complaints = Counter((r["kind"], r["sheet_month"][:7]) for r in _records(batch, "complaints"))
    assert complaints == Counter({k: n for k, n in world.complaint_counts().items() if n})
    followers = _records(batch, "instagram_village_followers")
    assert len({r["account"] for r in followers}) == 1872
    bad = sum(1 for rows in world.rows.values() for month in rows.values() for r in month if r.bad)
    assert sum(r.rejected for r in batch.streams.values()) == bad
    assert report.duplicates == {
        "Register Webinar FGD Workshop Sosialisasi 2023 - Copy.xlsx": "Register Webinar FGD Workshop Sosialisasi 2023.xlsx"
    }


def test_december_2023_rows_are_the_published_ones(extracted):
    _, batch, _ = extracted
    dec = lambda kind: [r for r in _records(batch, kind) if r["sheet_month"] == "2023-12-01"]  # noqa: E731
    assert [(r["date"], r["region"], r["topic"]) for r in dec("video_conferences")] == DEC_2023_VIDEO_CONFERENCES
    assert [
        (r["date"], r["region"], r["topic"], r["guests"]) for r in dec("face_to_face_consultations")
    ] == DEC_2023_FACE_TO_FACE
    assert [(r["date"], r["title"]) for r in dec("webinars")] == DEC_2023_WEBINARS


def test_the_workbooks_are_as_messy_as_the_real_ones(extracted):
    folder, batch, _ = extracted
    import openpyxl

    wb = openpyxl.load_workbook(folder / "Register Konsultasi Tatap Muka 2023.xlsx")
    ws = wb["Desember 2023"]
    assert wb.sheetnames[0] == "Rekap" and "MEI" in wb.sheetnames and "Agt-23" in wb.sheetnames
    assert ws["A1"].value.startswith("REGISTER") and "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert any(r.min_col == r.max_col == 2 and r.max_row > r.min_row for r in ws.merged_cells.ranges)  # merged dates
    column_a = [c.value for c in ws["A"]]
    assert "Jumlah" in column_a
    assert "Kab. Kepulauan Sangihe (Bupati)" in [c.value for c in ws["C"]]
    kinds = {type(c.value).__name__ for w in wb.worksheets[1:] for c in w["B"][5:]}
    assert {"datetime", "str", "int"} <= kinds  # real dates, typed dates and serial numbers
    rejects = [json.loads(line) for line in open(batch.folder / "face_to_face_consultations.rejects.jsonl")]
    assert any("below the total row" in r["reason"] for r in rejects)
    assert any(r["key"].endswith("sheet='Desember 2023', row=25") for r in rejects)  # the abandoned half-filled row
