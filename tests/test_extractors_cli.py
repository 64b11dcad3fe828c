"""The one CLI: `python -m extractors list|run`, reading the same AIRFLOW_CONN_<ID> as the DAG."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from extractors.registry import NAMES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    return subprocess.run(
        [sys.executable, "-m", "extractors", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_list_shows_every_source_with_its_connection_and_streams():
    res = cli("list")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert [line.split()[0] for line in lines if not line.startswith(" ")] == list(NAMES)
    assert "connection deskpro_api" in res.stdout and "tickets" in res.stdout and "cursor date_status" in res.stdout


def test_run_without_the_connection_says_which_variable_to_set():
    res = cli("run", "deskpro")
    assert res.returncode != 0 and "AIRFLOW_CONN_DESKPRO_API" in res.stderr


def test_an_unknown_source_or_stream_is_named():
    assert "no source 'nope'" in cli("run", "nope").stderr
    assert "deskpro has no stream 'nope'" in cli("run", "deskpro", "--stream", "nope").stderr


@pytest.fixture()
def deskpro_conn():
    from simulators.deskpro import DeskproStandIn

    key = "cli-key-0b7d"
    with DeskproStandIn(seed=2023, api_key=key) as srv:
        yield srv, json.dumps({"conn_type": "http", "password": key, "extra": {"base_url": srv.base_url}})


def test_run_and_load_prints_the_summary_and_reruns_change_nothing(deskpro_conn, db_url, tmp_path):
    srv, conn = deskpro_conn
    env = {"AIRFLOW_CONN_DESKPRO_API": conn, "WAREHOUSE_URL": db_url}
    args = ("run", "deskpro", "--full-refresh", "--load", "--landing", str(tmp_path))
    first = cli(*args, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    out = json.loads(first.stdout)
    tickets = out["extract"]["streams"]["tickets"]
    assert tickets["complete"] is True and tickets["expected"] == tickets["received"] > 2400
    assert out["load"]["streams"]["tickets"]["inserted"] == tickets["rows"]
    assert "password" not in first.stdout and "cli-key-0b7d" not in first.stdout + first.stderr
    assert "deskpro.tickets: 13 pages" in first.stderr  # progress at INFO
    again = json.loads(cli(*args, env=env).stdout)["load"]["streams"]["tickets"]
    assert (again["inserted"], again["updated"], again["deleted"]) == (0, 0, 0)
    assert again["watermark_before"] is not None


def test_a_short_page_exits_1_with_the_counts_and_loads_nothing(deskpro_conn, db_url, tmp_path):
    import psycopg

    srv, conn = deskpro_conn
    env = {"AIRFLOW_CONN_DESKPRO_API": conn, "WAREHOUSE_URL": db_url}
    assert cli("run", "deskpro", "--full-refresh", "--load", "--landing", str(tmp_path), env=env).returncode == 0
    with psycopg.connect(db_url) as c:
        before = c.execute("select count(*), max(_batch_id) from raw.deskpro__tickets").fetchone()
    srv.faults.page("short", page=3)
    res = cli("run", "deskpro", "--full-refresh", "--load", "--landing", str(tmp_path), env=env)
    assert res.returncode == 1
    assert "CompletenessError" in res.stderr and "page 3 of 13 has 199 records, not 200" in res.stderr
    assert json.loads(res.stdout)["load"]["refused"].startswith("CompletenessError")
    with psycopg.connect(db_url) as c:
        assert c.execute("select count(*), max(_batch_id) from raw.deskpro__tickets").fetchone() == before


def test_a_file_drop_source_runs_from_its_folder_connection(tmp_path):
    from simulators.avaya import AvayaStandIn

    drop = AvayaStandIn(tmp_path / "drop", seed=7, start="2023-12-01", end="2024-01-01").write()
    conn = json.dumps({"conn_type": "fs", "extra": {"path": str(drop.folder)}})
    res = cli(
        "run", "avaya", "--full-refresh", "--landing", str(tmp_path / "landing"), env={"AIRFLOW_CONN_AVAYA_FILES": conn}
    )
    assert res.returncode == 0, res.stderr[-3000:]
    streams = json.loads(res.stdout)["extract"]["streams"]
    assert set(streams) == {"files", "hsplit", "hagent", "cdr"} and streams["cdr"]["rows"] > 0
