"""The whole pipeline, as `make run` runs it, on a throwaway embedded PostgreSQL.

Real Airflow (every DAG through dag.test()), real dbt through Cosmos, the Deskpro
stand-in over HTTP. Asserts the report's Deskpro figures for 2023-12 and their
comparisons, then that a rerun and a daily backfill change nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest

pytestmark = pytest.mark.slow

# The published December 2023 figures (report-2023-12: value, November 2023, December 2022).
EXPECTED = {
    "tickets_email_call_center": (126, 143, 86),
    "tickets_hai_kemenkeu": (56, 14, 48),
    "tickets_live_chat": (20, 23, 4),
}


@pytest.fixture(scope="module")
def run_env(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "WAREHOUSE", "DBT_"))}
    env.update(DJPK_LOCAL_DIR=str(base / "local"), LANDING_DIR=str(base / "landing"), PROJECT_OUT_DIR=str(base / "out"))
    yield env, base
    subprocess.run([sys.executable, "-c",
                    "from warehouse.embedded import EmbeddedPostgres; from warehouse.config import local_dir; "
                    "EmbeddedPostgres(local_dir() / 'warehouse').destroy()"], env=env, check=False)


def pipeline(env, *args):
    res = subprocess.run([sys.executable, "-m", "pipeline", *args], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    return res


def raw_counts(env) -> dict:
    url = subprocess.run([sys.executable, "-m", "warehouse", "url", "--show-password"], env=env,
                         capture_output=True, text=True, check=True).stdout.strip()
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"select count(*), max(_loaded_at) from raw.{t}").fetchone()
                for t in ("deskpro__tickets", "deskpro__people", "deskpro__organizations")}


@pytest.fixture(scope="module")
def first_run(run_env):
    env, base = run_env
    res = pipeline(env, "run", "--month", "2023-12", "--month", "2023-11")
    return env, base, res


def test_make_run_writes_the_deskpro_figures_with_comparisons(first_run):
    env, base, res = first_run
    path = base / "out" / "reports" / "2023-12" / "summary.json"
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
    env, base, _ = first_run
    nov = json.loads((base / "out" / "reports" / "2023-11" / "summary.json").read_text())
    assert nov["metrics"]["tickets_email_call_center"]["value"] == 143


def test_secrets_do_not_reach_the_output(first_run):
    env, base, res = first_run
    state = json.loads((base / "local" / "warehouse" / "state.json").read_text())
    assert state["password"] not in res.stdout + res.stderr


def test_rerun_and_backfill_change_nothing(first_run):
    env, base, _ = first_run
    before = raw_counts(env)
    summary = (base / "out" / "reports" / "2023-12" / "summary.json").read_text()
    pipeline(env, "run", "--month", "2023-12")
    pipeline(env, "backfill", "deskpro", "2023-12-30", "2023-12-31", "--transform")
    assert raw_counts(env) == before  # no duplicates, unchanged rows untouched (same _loaded_at)
    assert (base / "out" / "reports" / "2023-12" / "summary.json").read_text() == summary
