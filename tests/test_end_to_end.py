"""The whole pipeline, as `make run` runs it, on a throwaway embedded PostgreSQL.

Real Airflow (every DAG through dag.test()), real dbt through Cosmos, the Deskpro
stand-in over HTTP. Asserts the report's Deskpro figures for 2023-12 and their
comparisons, then that a rerun and a daily backfill change nothing.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

# The published December 2023 figures (report-2023-12: value, November 2023, December 2022).
EXPECTED = {
    "tickets_email_call_center": (126, 143, 86),
    "tickets_hai_kemenkeu": (56, 14, 48),
    "tickets_live_chat": (20, 23, 4),
}


@pytest.fixture(scope="module")
def first_run(pipeline_env):
    return pipeline_env, pipeline_env.first_run


def raw_counts(env) -> dict:
    return {
        t: env.query(f"select count(*), max(_loaded_at) from raw.{t}")[0]
        for t in ("deskpro__tickets", "deskpro__people", "deskpro__organizations")
    }


def test_make_run_writes_the_deskpro_figures_with_comparisons(first_run):
    env, res = first_run
    path = env.out / "reports" / "2023-12" / "summary.json"
    assert f"summary: {path}" in res.stdout
    summary = json.loads(path.read_text())
    assert summary["period"] == "2023-12"
    for key, (value, prev, last_year) in EXPECTED.items():
        m = summary["metrics"][key]
        assert (m["value"], m["prev_month"], m["same_month_last_year"]) == (value, prev, last_year), key
        assert m["mom_pct"] == round((value - prev) / prev * 100, 1)
        assert m["yoy_pct"] == round((value - last_year) / last_year * 100, 1)
    # the published -13.5 % divided by the current month; the change is against November
    assert summary["metrics"]["tickets_email_call_center"]["mom_pct"] == -11.9


def test_another_month_is_exported_too(first_run):
    env, _ = first_run
    nov = json.loads((env.out / "reports" / "2023-11" / "summary.json").read_text())
    assert nov["metrics"]["tickets_email_call_center"]["value"] == 143


def test_secrets_do_not_reach_the_output(first_run):
    env, res = first_run
    state = json.loads((env.base / "local" / "warehouse" / "state.json").read_text())
    assert state["password"] not in res.stdout + res.stderr
    assert env.pseudonym_key not in res.stdout + res.stderr  # only its fingerprint is logged


def test_rerun_and_backfill_change_nothing(first_run):
    env, _ = first_run
    before = raw_counts(env)
    summary = (env.out / "reports" / "2023-12" / "summary.json").read_text()
    env.run("run", "--month", "2023-12")
    env.run("backfill", "deskpro", "2023-12-30", "2023-12-31", "--transform")
    assert raw_counts(env) == before  # no duplicates, unchanged rows untouched (same _loaded_at)
    assert (env.out / "reports" / "2023-12" / "summary.json").read_text() == summary


def test_report_is_rendered_with_the_figures_in_indonesian(first_run):
    env, res = first_run
    folder = env.out / "reports" / "2023-12"
    assert f"report: {folder / 'laporan.html'}" in res.stdout
    html = (folder / "laporan.html").read_text()
    assert "Layanan Email Call Center" in html
    assert "<b>turun</b> 11,9% dibandingkan bulan sebelumnya (143)" in html
    assert "<b>meningkat</b> 46,5% dibandingkan bulan Desember 2022 (86)" in html
    notes = html[html.index('id="catatan-data"') :]
    assert "<td>-13,5%</td><td>-11,9%</td>" in notes and "17/143 = -11,9%" in notes  # the published mistake, explained
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(folder / "laporan.pdf").pages)
    assert "Layanan Email Call Center" in text and "Catatan Data" in text


def test_report_opens_in_chromium_without_console_errors(first_run, tmp_path):
    import shutil
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    env, _ = first_run
    html = env.out / "reports" / "2023-12" / "laporan.html"
    shot = tmp_path / "laporan.png"
    res = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,3000",
            f"--screenshot={shot}",
            html.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 20_000, res.stderr[-2000:]
    console = [line for line in res.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []


def test_bi_reader_reads_the_marts_and_nothing_else(first_run):
    import psycopg

    from warehouse.roles import ROLE

    env, _ = first_run
    state = json.loads((env.base / "local" / "warehouse" / "state.json").read_text())
    url = env.warehouse_url.replace(f"{state['user']}:", f"{ROLE}:", 1).replace(
        state["password"], state["bi_reader_password"]
    )
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("select count(*) from marts.mart_monthly_channel_volume").fetchone()[0] > 0
        for table in (
            "raw.deskpro__tickets",
            "staging.stg_deskpro__tickets",
            "raw._quarantine",
            "private.pseudonym_key",
            "review.unmatched_regions",
            "intermediate.int_consultations__enriched",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select 1 from {table} limit 1")
