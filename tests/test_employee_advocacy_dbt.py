"""Employee advocacy's dbt models on the whole stand-in, loaded into a real PostgreSQL:
the marts give every figure of the 25 published snapshots (null and self-contradicting
figures exempt), their tests pass, and summary.json's `employee_advocacy` says the same."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import provision_pseudonym_key
from tests.helpers import dbt

ROOT = Path(__file__).resolve().parents[1]
SELECT = "stg_employee_advocacy__* int_employee_advocacy__* mart_employee_advocacy_*"
pytestmark = pytest.mark.slow


def dbt_build(db_url: str) -> subprocess.CompletedProcess:
    return dbt(db_url, "build", "--select", SELECT, "--indirect-selection", "cautious")


@pytest.fixture(scope="module")
def built(pg_server, tmp_path_factory):
    from airflow.models.connection import Connection

    from extractors import runner
    from extractors.common.source import RunContext
    from extractors.registry import get
    from simulators.employee_advocacy.stand_in import start

    tmp = tmp_path_factory.mktemp("ea_dbt")
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute('drop database if exists "t_employee_advocacy_dbt" with (force)')
        conn.execute('create database "t_employee_advocacy_dbt"')
        conn.execute("do $$ begin create role bi_reader; exception when duplicate_object then null; end $$")
    db_url = pg_server.url("t_employee_advocacy_dbt")
    running = start(2023, tmp / "stand-in")
    source = get("employee_advocacy")
    conn = Connection.from_json(running.env["AIRFLOW_CONN_EMPLOYEE_ADVOCACY_FOLDER"], conn_id=source.conn_id)
    extracted = runner.extract(source, RunContext(conn, tmp / "landing", None, None, True, None))
    running.stop()
    with psycopg.connect(db_url) as c:
        runner.load(source, extracted["manifest"], c)
    provision_pseudonym_key(db_url)
    res = dbt_build(db_url)
    assert res.returncode == 0, res.stdout[-6000:]
    yield db_url, res.stdout
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute('drop database if exists "t_employee_advocacy_dbt" with (force)')


def test_the_marts_and_their_tests_build(built):
    _, out = built
    assert "ERROR=0" in out.replace(" ", "") or " ERROR=0 " in out
    assert "assert_employee_advocacy_edition_in_one_quarter" in out


def test_every_published_figure_matches(built):
    from reporting.employee_advocacy import editions_summary
    from tests.employee_advocacy_expected import mismatches

    db_url, _ = built
    with psycopg.connect(db_url) as conn:
        summary = editions_summary(conn, 2023)
    assert len(summary["editions"]) == 25
    assert mismatches(summary["editions"]) == []


def test_an_edition_without_a_target_says_so(built):
    db_url, _ = built
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "select target_employees, pct_of_target, target_status, participating_employees "
            "from marts.mart_employee_advocacy_editions where quarter = '2024-Q1'"
        ).fetchone()
    assert row[0] is None and row[1] is None and row[2] == "no target set for the quarter" and row[3] > 0


def test_no_employee_identifier_reaches_the_marts(built):
    db_url, _ = built
    with psycopg.connect(db_url) as conn:
        cols = conn.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name like 'mart_employee_advocacy%'"
        ).fetchall()
        assert cols and not [c for c in cols if "nip" in c[1] or "employee_key" in c[1]]
        keys = {
            r[0]
            for r in conn.execute(
                "select record->>'nip_hash' from raw.employee_advocacy__participations limit 200"
            ).fetchall()
        }
        for (table,) in {(t,) for t, _ in cols}:
            text = conn.execute(f"select string_agg(t::text, ' ') from marts.{table} as t").fetchone()[0]
            assert not any(k in text for k in keys), table


def test_the_whole_year_renders_into_the_pdf(built, tmp_path):
    from reporting.employee_advocacy import editions_summary
    from reporting.report import ReportData, render_html, render_pdf

    db_url, _ = built
    with psycopg.connect(db_url) as conn:
        ea = editions_summary(conn, 2023)
    assert [q["quarter"] for q in ea["quarters"]] == ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
    assert [q["editions"] for q in ea["quarters"]] == [6, 5, 9, 5]
    html, _ = render_html(ReportData("2023-12", {}, employee_advocacy=ea))
    assert html.count('class="ea-page"') == 25
    render_pdf(html, tmp_path / "laporan.pdf")
    assert (tmp_path / "laporan.pdf").stat().st_size > 100_000
