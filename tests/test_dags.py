"""DAG integrity: imports cleanly, house rules hold, nothing is fetched at parse time."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1] / "dags"


@pytest.fixture(scope="module")
def dagbag(dbt_manifest):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"deskpro", "transform"} <= set(dagbag.dag_ids)


def test_every_dag_has_tags_retries_docs_schedule_and_a_failure_callback(dagbag):
    from pipeline.alerts import on_failure

    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, dag_id
        assert dag.doc_md and len(dag.doc_md) > 40, dag_id
        assert type(dag.timetable).__name__ != "NullTimetable", dag_id  # an explicit schedule
        for t in dag.tasks:
            assert t.retries >= 1, (dag_id, t.task_id)
            callbacks = t.on_failure_callback if isinstance(t.on_failure_callback, list) else [t.on_failure_callback]
            assert on_failure in callbacks, (dag_id, t.task_id)


def test_load_emits_the_asset_the_transform_is_scheduled_on(dagbag):
    from pipeline.assets import RAW_DESKPRO

    load = dagbag.dags["deskpro"].get_task("load")
    assert RAW_DESKPRO in load.outlets
    transform = dagbag.dags["transform"]
    assert (
        "raw_deskpro" in repr(transform.timetable.asset_condition)
        or RAW_DESKPRO in transform.timetable.asset_condition.objects
    )


def test_transform_provisions_the_key_plans_the_build_builds_then_checks_the_marts(dagbag):
    dag = dagbag.dags["transform"]
    assert set(dag.task_ids) == {"provision_pseudonym_key", "plan_build", "dbt_build", "check_marts"}
    build = dag.get_task("dbt_build")
    assert type(build).__name__ == "DbtBuildLocalOperator"
    assert dag.get_task("plan_build").upstream_task_ids == {"provision_pseudonym_key"}
    assert build.upstream_task_ids == {"plan_build"}
    assert dag.get_task("check_marts").upstream_task_ids == {"dbt_build"}
    assert dag.params["full_build"] is False


def test_dbt_build_gets_the_plans_arguments(dagbag):
    """The interceptor adds the plan's --select/--state to dbt's command; a full plan adds nothing."""
    from pipeline.tasks import scope_interceptor

    build = dagbag.dags["transform"].get_task("dbt_build")
    assert scope_interceptor in build.interceptors

    class TI:
        def __init__(self, value):
            self.value = value

        def xcom_pull(self, task_ids):
            assert task_ids == "plan_build"
            return self.value

    class Op:
        dag = dagbag.dags["transform"]
        dbt_cmd_flags = ["--x"]

    op = Op()
    scope_interceptor({"ti": TI({"args": ["--select", "source:avaya+", "--state", "/s"]})}, op)
    assert op.dbt_cmd_flags == ["--x", "--select", "source:avaya+", "--state", "/s"]
    op = Op()
    scope_interceptor({"ti": TI({"args": []})}, op)
    assert op.dbt_cmd_flags == ["--x"]


def test_nothing_is_fetched_at_parse_time(dbt_manifest, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import Connection, Variable

    calls = []

    def refuse(*a, **k):
        calls.append(a)
        raise AssertionError("fetched at parse time")

    monkeypatch.setattr(Connection, "get", refuse)
    monkeypatch.setattr(Variable, "get", refuse)
    for k in [k for k in __import__("os").environ if k.startswith("AIRFLOW_CONN_")]:
        monkeypatch.delenv(k)
    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {} and calls == []


@pytest.mark.parametrize("path", sorted(DAGS.glob("*.py")), ids=lambda p: p.name)
def test_dag_files_are_thin(path):
    """A DAG file wires tasks; I/O libraries belong in extractors/loaders/pipeline."""
    tree = ast.parse(path.read_text())
    top = {n.names[0].name for n in tree.body if isinstance(n, ast.Import)}
    top |= {n.module for n in tree.body if isinstance(n, ast.ImportFrom) and n.module}
    roots = {m.split(".")[0] for m in top}
    assert not roots & {"requests", "psycopg", "psycopg2", "sqlalchemy", "pandas", "loaders"}
    # from extractors, only the declarations (extractors.registry), never an extractor's code
    assert {m for m in top if m.split(".")[0] == "extractors"} <= {"extractors.registry"}
    assert "airflow" in path.read_text()


def test_the_registry_a_dag_file_reads_loads_no_database_driver_or_dataframe():
    import subprocess
    import sys

    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, extractors.registry; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('psycopg', 'psycopg2', 'pandas', 'sqlalchemy', 'openpyxl', 'pymap', 'loaders')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == "[]"


def test_every_registered_source_has_its_dag(dagbag):
    from extractors.registry import SOURCES
    from pipeline.assets import RAW
    from pipeline.dag_factory import lands_every_day

    for source in SOURCES:
        dag = dagbag.dags[source.name]
        assert dag.schedule == source.schedule and "source" in dag.tags
        assert set(dag.task_ids) == {"extract", "load"}
        assert dag.get_task("load").upstream_task_ids == {"extract"}
        assert RAW[source.name] in dag.get_task("load").outlets
        assert dag.params["full_refresh"] is False and dag.params["force_deletions"] is False
        assert dag.default_args["retry_delay"].total_seconds() == source.retry_delay_minutes * 60
        assert dag.default_args["on_failure_callback"].__name__ == "on_failure"
        condition = repr(dagbag.dags["transform"].timetable.asset_condition)
        assert (source.asset_name in condition) == lands_every_day(source.schedule), source.name


def test_transform_builds_once_the_daily_sources_have_landed_or_at_its_daily_deadline(dagbag):
    from airflow.sdk import AssetAll

    from pipeline.assets import RAW

    timetable = dagbag.dags["transform"].timetable
    assert isinstance(timetable.asset_condition, AssetAll)  # all of them, not any
    assert set(timetable.asset_condition.objects) == {
        RAW[n] for n in ("deskpro", "whatsapp", "avaya", "email_lapor", "meta", "x", "ga4", "cms", "registers")
    }
    assert timetable.timetable.expression == "0 9 * * *"
    assert str(timetable.timetable.timezone) == "Asia/Jakarta"


def test_lands_every_day():
    from pipeline.dag_factory import lands_every_day

    assert lands_every_day("@hourly") and lands_every_day("20 */6 * * *") and lands_every_day("@daily")
    assert not lands_every_day("0 7 * * 1") and not lands_every_day("0 6 1 * *")


def test_failure_callback_logs_one_line_and_posts_to_the_webhook(monkeypatch, caplog):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from pipeline.alerts import on_failure

    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=srv.handle_request, daemon=True).start()
    monkeypatch.setenv(
        "AIRFLOW_CONN_ALERT_WEBHOOK",
        json.dumps({"conn_type": "http", "host": f"http://127.0.0.1:{srv.server_port}/hook?token=s3cret"}),
    )

    class TI:
        dag_id, task_id, run_id, try_number = "deskpro", "extract", "manual__1", 3

    with caplog.at_level(logging.ERROR, logger="djpk.alerts"):
        on_failure({"task_instance": TI(), "exception": RuntimeError("deskpro: 401 Unauthorized")})
    srv.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "djpk.alerts"]
    assert lines == [
        "TASK FAILED dag=deskpro task=extract run=manual__1 try=3: RuntimeError: deskpro: 401 Unauthorized"
    ]
    assert received == [{"text": lines[0]}]
    assert "s3cret" not in caplog.text


def _assets_of(dag) -> list:
    from airflow.sdk import Asset

    found = [a for t in dag.tasks for a in [*t.outlets, *t.inlets] if isinstance(a, Asset)]
    condition = getattr(dag.timetable, "asset_condition", None)
    if condition is not None:
        found += [a for a in getattr(condition, "objects", []) if isinstance(a, Asset)]
    return found


def test_asset_uris_are_stable_names_of_tables_never_of_the_server(dagbag):
    """No host, port or random part: the same assets on every machine, after every restart."""
    import re

    uris = {a.uri for dag in dagbag.dags.values() for a in _assets_of(dag)}
    assert "warehouse://raw/deskpro" in uris and "warehouse://raw/deskpro__tickets" in uris
    assert "warehouse://marts/fct_consultations" in uris and "warehouse://marts/" in uris  # Airflow adds the "/"
    for uri in uris:
        assert re.fullmatch(r"warehouse://(raw|marts)/[a-z0-9_]*", uri), uri
    build = dagbag.dags["transform"].get_task("dbt_build")
    assert build.emit_datasets is False  # Cosmos' per-node assets are named after host and port


def test_every_dag_has_the_team_as_owner_and_source_dags_document_their_tables(dagbag):
    from extractors.registry import SOURCES

    for dag_id, dag in dagbag.dags.items():
        assert {t.owner for t in dag.tasks} == {"djpk-data"}, dag_id
        assert "djpk" in dag.tags or dag_id in ("transform", "transform_full_tests", "monthly_report"), dag_id
    for source in SOURCES:
        doc = dagbag.dags[source.name].doc_md
        assert f"docs/sources/{source.name}.md" in doc
        assert all(f"`raw.{source.name}__{s.name}`" in doc for s in source.streams)


def test_daily_sources_and_the_monthly_report_have_deadline_alerts(dagbag):
    import datetime as dt

    from extractors.registry import SOURCES
    from pipeline.alerts import LANDED_WITHIN_HOURS
    from pipeline.dag_factory import is_daily

    daily = {s.name for s in SOURCES if is_daily(s.schedule)}
    assert {"deskpro", "avaya", "whatsapp"} <= daily and "email_lapor" not in daily  # @hourly
    for source in SOURCES:
        alerts = dagbag.dags[source.name].deadline or []
        if source.name in daily:
            assert [a.interval for a in alerts] == [dt.timedelta(hours=LANDED_WITHIN_HOURS)], source.name
            assert alerts[0].callback.path == "pipeline.alerts.deadline_missed"
            assert "has not landed" in alerts[0].callback.kwargs["what"]
        else:
            assert not alerts, source.name
    (report,) = dagbag.dags["monthly_report"].deadline
    # the run is at 06:00 WIB on the 1st: 18 h later is 00:00 WIB on the 2nd
    assert report.interval == dt.timedelta(hours=18) and "by the 2nd" in report.callback.kwargs["what"]


def test_a_missed_deadline_logs_one_line_and_posts_it(monkeypatch, caplog):
    import asyncio

    from pipeline import alerts

    posted = []
    monkeypatch.setattr(alerts, "_post", posted.append)
    context = {
        "dag_run": {"dag_id": "deskpro", "dag_run_id": "scheduled__2023-12-31T00:00:00+00:00", "state": "running"},
        "deadline": {"id": "1", "deadline_time": "2023-12-31T03:00:00+00:00"},
    }
    with caplog.at_level(logging.ERROR, logger="djpk.alerts"):
        asyncio.run(alerts.deadline_missed(what="deskpro has not landed within 3 h", context=context))
    line = (
        "DEADLINE MISSED dag=deskpro run=scheduled__2023-12-31T00:00:00+00:00 state=running "
        "deadline=2023-12-31T03:00:00+00:00: deskpro has not landed within 3 h"
    )
    assert posted == [line] and line in caplog.text
