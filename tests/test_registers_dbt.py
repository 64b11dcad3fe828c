"""The registers' dbt models (and their unit tests) on the generated workbooks, loaded
into a real PostgreSQL: the December 2023 figures come out as published."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from extractors.registers import RegistersConfig, run_extract
from loaders import load_batch
from tests.conftest import provision_pseudonym_key
from tests.helpers import dbt

ROOT = Path(__file__).resolve().parents[1]
SELECT = (
    "registers_settings registers_kinds ref_segment_rules ref_user_segments stg_registers__* int_registers__* "
    "mart_monthly_registers* mart_register_*"
)


def dbt_build(db_url: str) -> subprocess.CompletedProcess:
    # cautious: a seed's tests that reach models of other sources (ref_user_segments) stay out
    return dbt(db_url, "build", "--select", SELECT, "--indirect-selection", "cautious")


@pytest.fixture(scope="module")
def built(pg_server, tmp_path_factory):
    """One database for the module: loading and building once is the slow part."""
    from simulators.registers import write_workbooks
    from simulators.scenario.registers import generate

    tmp_path = tmp_path_factory.mktemp("registers_dbt")
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute('drop database if exists "t_registers_dbt" with (force)')
        conn.execute('create database "t_registers_dbt"')
        conn.execute(
            "do $$ begin create role bi_reader; exception when duplicate_object then null; end $$"
        )  # marts grant to it
    db_url = pg_server.url("t_registers_dbt")
    write_workbooks(generate(2023), tmp_path / "share")
    batch, _ = run_extract(RegistersConfig(tmp_path / "share"), tmp_path / "landing", full_refresh=True)
    with psycopg.connect(db_url) as conn:
        load_batch(conn, batch.folder)
    provision_pseudonym_key(db_url)
    res = dbt_build(db_url)
    assert res.returncode == 0, res.stdout[-6000:]
    yield db_url, res.stdout
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute('drop database if exists "t_registers_dbt" with (force)')


def test_registers_build_with_every_test_and_unit_test_passing(built):
    _, out = built
    assert "registers_ytd_restarts_in_january_and_a_missing_sheet_is_null" in out
    assert "face_to_face_flags_only_visits_above_the_configured_limit" in out
    assert " ERROR=0 " in out and " SKIP=0 " in out


def test_december_2023_figures(built):
    db_url, _ = built
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            """select metric_key, entries, entries_prev_month, entries_same_month_last_year, entries_ytd
               from marts.mart_monthly_registers where month = '2023-12-01'"""
        ).fetchall()
        figures = {k: rest for k, *rest in rows}
        assert figures["video_conferences"][0::3] == [5, 89]
        assert figures["face_to_face_consultations"][0::3] == [30, 224]
        assert figures["webinars"] == [4, 10, 5, 83]
        assert figures["ppid_requests"] == [17, 21, 16, 162]
        assert figures["complaints_pengaduan"][0::3] == [3, 34]
        assert figures["complaints_keluhan_layanan"][0::3] == [1, 9]
        assert figures["complaints_keluhan_kebijakan"][0::3] == [0, 5]  # a sheet without such rows: 0, not null
        followers = conn.execute(
            "select total_accounts, new_accounts from marts.mart_monthly_registers_instagram_village_followers "
            "where month = '2023-12-01'"
        ).fetchone()
        assert followers == (1872, 2)
        flagged = conn.execute(
            "select region_text, guests from marts.mart_register_face_to_face "
            "where month = '2023-12-01' and above_guest_limit order by row_in_month"
        ).fetchall()
        assert flagged == [
            ("Prov. Papua (DPRD)", 5),
            ("Kab. Mojokerto", 5),
            ("Prov. Papua Selatan", 5),
            ("Kab. Kepulauan Sangihe (Bupati)", 7),
        ]
