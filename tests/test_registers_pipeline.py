"""The registers DAG end to end, as `make run` runs it: stand-in workbooks -> extract ->
raw.registers__* (rejects in quarantine) -> dbt through Cosmos -> marts -> summary.

The session's one `pipeline run` (tests/conftest.py) loaded every source and built the
marts; the registers DAG then runs again, with a full refresh and incrementally, and
must change nothing.
"""

from __future__ import annotations

import json

import psycopg
import pytest

pytestmark = pytest.mark.slow

# report-2023-12.yaml: value, November 2023, December 2022, 2023 year to date (None: not published)
PUBLISHED = {
    "video_conferences": (5, None, None, 89),
    "face_to_face_consultations": (30, None, None, 224),
    "webinars": (4, 10, 5, 83),
    "ppid_requests": (17, 21, 16, 162),
    # the seed report's monthly complaint lists, one row per item
    "complaints_pengaduan": (3, 2, None, 34),
    "complaints_keluhan_layanan": (1, 1, None, 9),
    "complaints_keluhan_kebijakan": (0, 0, None, 5),
}
DECEMBER_VIDEO_CONFERENCES = [
    {"date": "2023-12-04", "region": "BPK Prov. Kalimantan Barat", "topic": "Pembiayaan"},
    {"date": "2023-12-05", "region": "Prov. Maluku", "topic": "JFAKPD"},
    {"date": "2023-12-12", "region": "Prov. Riau", "topic": "DBH"},
    {"date": "2023-12-11", "region": "Kab. Nias Selatan", "topic": "DBH"},
    {"date": "2023-12-19", "region": "Kota Mojokerto", "topic": "PDRD"},
]
DECEMBER_WEBINARS = ["Soft Launching SIKD", "Workshop Inovasi", "Rakertas DJPK", "Sosialisasi Wanita Peka Kanker (DWP)"]
DECEMBER_PENGADUAN_START = [
    "Oknum yang mengaku",
    "Surat palsu undangan Simposium",
    "Dugaan penyalahgunaan Tambahan Dana Desa",
]


@pytest.fixture(scope="module")
def env(pipeline_env):
    """The session's one `pipeline run` (tests/conftest.py) loaded every source and built the marts."""
    raw = pipeline_env.query("select count(*), max(_loaded_at) from raw.registers__face_to_face_consultations")[0]
    pipeline_env.run("dag", "registers", "--full-refresh")  # the same workbooks again
    return pipeline_env, raw


def test_the_dag_loads_the_registers_and_quarantines_the_bad_rows(env):
    e, _ = env
    counts = dict(e.query("select stream, count(*) from raw._quarantine where source = 'registers' group by 1"))
    assert counts["face_to_face_consultations"] >= 2 and counts["video_conferences"] >= 1
    half_filled = e.query(
        "select reason from raw._quarantine where source = 'registers' and record_key = %s",
        ("workbook='Register Konsultasi Tatap Muka 2023.xlsx', sheet='Desember 2023', row=25",),
    )
    assert half_filled and "region: Value error, required, but the cell is empty" in half_filled[0][0]
    dup = e.query(
        "select record ->> 'duplicate_of' from raw.registers__workbooks where workbook like %s", ("%- Copy.xlsx",)
    )
    assert dup == [("Register Webinar FGD Workshop Sosialisasi 2023.xlsx",)]


def test_a_second_run_reads_nothing_new(env):
    e, (rows, loaded_at) = env
    # the DAG ran again with full_refresh (same workbooks): rows untouched
    assert e.query("select count(*), max(_loaded_at) from raw.registers__face_to_face_consultations")[0] == (
        rows,
        loaded_at,
    )
    e.run("dag", "registers")  # incremental: every workbook is already loaded with the same sha256
    window = e.query("select window_ from raw._batches where source = 'registers' order by loaded_at desc limit 1")[0][
        0
    ]
    assert window["read"] == [] and len(window["skipped"]) == 14
    assert e.query("select count(*), max(_loaded_at) from raw.registers__face_to_face_consultations")[0] == (
        rows,
        loaded_at,
    )


def test_the_marts_give_the_published_december_figures(env):
    e, _ = env
    rows = e.query(
        """select metric_key, entries, entries_prev_month, entries_same_month_last_year, entries_ytd
           from marts.mart_monthly_registers where month = '2023-12-01'"""
    )
    figures = {key: rest for key, *rest in rows}
    for key, published in PUBLISHED.items():
        for got, want in zip(figures[key], published, strict=False):
            if want is not None:
                assert got == want, (key, figures[key], published)
    assert e.query(
        "select total_accounts, new_accounts from marts.mart_monthly_registers_instagram_village_followers "
        "where month = '2023-12-01'"
    ) == [(1872, 2)]
    flagged = e.query(
        "select count(*) from marts.mart_register_face_to_face where month = '2023-12-01' and above_guest_limit"
    )
    assert flagged == [(4,)]  # 5, 5, 5 and 7 guests against the limit of 4


def test_the_summary_has_the_registers_and_their_december_rows(env):
    from reporting.summary import build_summary

    e, _ = env
    with psycopg.connect(e.warehouse_url) as conn:
        metrics = build_summary(conn, "2023-12")["metrics"]
    written = json.loads((e.out / "reports" / "2023-12" / "summary.json").read_text())["metrics"]
    for key, (value, prev, last_year, ytd) in PUBLISHED.items():
        m = metrics[key]
        assert (m["value"], m["ytd"]) == (value, ytd), key
        if prev is not None:
            assert m["prev_month"] == prev, key
        if last_year is not None:
            assert m["same_month_last_year"] == last_year, key
        assert written[key]["value"] == value
    ppid = metrics["ppid_requests"]
    assert (ppid["mom_pct"], ppid["yoy_pct"]) == (round(-4 / 21 * 100, 1), round(1 / 16 * 100, 1))
    # requesters are people: counts by status and by institution type, no rows (UU 27/2022)
    assert "rows" not in ppid and "rows" not in written["ppid_requests"]
    assert sum(ppid["breakdown"].values()) == 17 and written["ppid_requests"]["breakdown"] == ppid["breakdown"]
    assert sum(ppid["by_institution_type"].values()) == 17
    assert set(ppid["by_institution_type"]) <= {"Akademisi", "Pemda", "Kementerian/Lembaga", "Lainnya", "unclassified"}
    assert metrics["video_conferences"]["rows"] == DECEMBER_VIDEO_CONFERENCES
    assert [r["title"] for r in metrics["webinars"]["rows"]] == DECEMBER_WEBINARS
    f2f = metrics["face_to_face_consultations"]
    assert len(f2f["rows"]) == 30 and (f2f["above_guest_limit"], f2f["guest_limit"]) == (4, 4)
    assert f2f["rows"][16] == {
        "date": "2023-12-14",
        "region": "Kab. Kepulauan Sangihe (Bupati)",
        "topic": "DAU",
        "guests": 7,
        "above_guest_limit": True,
    }
    pengaduan = [r["description"] for r in metrics["complaints_pengaduan"]["rows"]]
    assert [
        d for d, start in zip(pengaduan, DECEMBER_PENGADUAN_START, strict=False) if d.startswith(start)
    ] == pengaduan
    assert metrics["complaints_keluhan_kebijakan"]["rows"] == []
    assert metrics["instagram_village_followers"]["value"] == 1872
    assert metrics["instagram_village_followers"]["new_this_month"] == 2
