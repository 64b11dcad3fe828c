"""The bodies of the transform and report DAGs' tasks (the source DAGs' are in extractors.runner).

Kept out of the DAG files so they import nothing heavy at parse time and can be
called (and tested) outside Airflow. Connections are read here, at run time.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

# The project's loggers: their INFO lines (per stream pages, rows, rejects, watermark before -> after,
# the completeness evidence; dbt's summary) belong in every task log, whatever Airflow's own level.
PROJECT_LOGGERS = ("extractors", "loaders", "pipeline", "reporting", "warehouse")


class _BelowRootLevel(logging.Handler):
    """Hands the root's handlers the records their level would drop (the project's INFO lines)."""

    def emit(self, record: logging.LogRecord) -> None:
        for handler in logging.getLogger().handlers:
            if record.levelno < handler.level:  # at or above it, the record reaches it by propagation
                handler.handle(record)


def project_logs_at_info() -> None:
    """The project's loggers log at INFO in a task, although Airflow's handlers may be at WARNING
    (``AIRFLOW__LOGGING__LOGGING_LEVEL``): their INFO lines reach the same task log."""
    for name in PROJECT_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        if not any(isinstance(h, _BelowRootLevel) for h in logger.handlers):
            logger.addHandler(_BelowRootLevel(logging.INFO))


def warehouse_connection(conn_id: str):
    """A psycopg 3 connection from the Airflow connection ``conn_id``."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook
    from psycopg.rows import tuple_row

    conn = PostgresHook(postgres_conn_id=conn_id).get_conn()
    conn.row_factory = tuple_row
    return conn


MART_TABLES = ("fct_consultations", "mart_monthly_channel_volume")


def check_marts(conn_id: str, build_state: str | None = None) -> dict:
    """Fail when a mart the report reads is missing or empty; return row counts.

    Then the build's staged state (``build_state``) becomes the one the next plan compares with.
    """
    project_logs_at_info()
    counts = {}
    with warehouse_connection(conn_id) as conn:
        for table in MART_TABLES:
            counts[table] = conn.execute(f"select count(*) from marts.{table}").fetchone()[0]
    empty = [t for t, n in counts.items() if n == 0]
    if empty:
        raise RuntimeError(f"marts empty after dbt build: {', '.join(empty)}")
    log.info("marts ready: %s", counts)
    if build_state:
        from pipeline import build_scope

        if build_scope.commit(Path(build_state)):
            log.info("build state recorded in %s", build_state)
    return counts


def plan_build(conn_id: str, build_state: str, key_id: str, full: bool = False) -> dict:
    """The transform's ``plan_build`` task: what ``dbt build`` builds (pipeline/build_scope.py)."""
    from dataclasses import asdict

    from pipeline import build_scope

    project_logs_at_info()
    with warehouse_connection(conn_id) as conn:
        the_plan = build_scope.plan(conn, Path(build_state), key_id, full_build=full)
    log.info("dbt build scope: %s", the_plan.describe())
    return {**asdict(the_plan), "args": the_plan.dbt_args(), "description": the_plan.describe()}


def scope_interceptor(context, operator) -> None:
    """Cosmos interceptor of ``dbt_build``: the plan's ``--select``/``--state`` arguments."""
    the_plan = context["ti"].xcom_pull(task_ids="plan_build") if "plan_build" in operator.dag.task_ids else None
    if the_plan:
        operator.dbt_cmd_flags = [*(operator.dbt_cmd_flags or []), *the_plan["args"]]


def stage_build_state(project_dir: str, build_state: str | None = None, context=None, **_) -> bool:
    """Cosmos' callback after ``dbt build``: stage its manifest and plan if every node passed."""
    from pipeline import build_scope

    ti = (context or {}).get("ti")
    the_plan = ti.xcom_pull(task_ids="plan_build") if ti is not None and build_state else None
    if not the_plan:
        return False
    return build_scope.stage(Path(project_dir) / "target", Path(build_state), the_plan)


def report_period(logical_date: dt.datetime | None, override: str | None) -> str:
    """The month to report: ``override`` (YYYY-MM) or the month before the run, in WIB."""
    if override:
        dt.date.fromisoformat(override + "-01")  # validates
        return override
    from zoneinfo import ZoneInfo

    local = (logical_date or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo("Asia/Jakarta"))
    first = local.date().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def _report_connection(conn_id: str):
    from airflow.sdk import Connection

    try:
        Connection.get(conn_id)
    except Exception:
        log.warning("connection %s not defined; reading the marts as `warehouse`", conn_id)
        conn_id = "warehouse"
    return warehouse_connection(conn_id)


def check_sources_fresh(conn_id: str, period: str) -> dict:
    """Fail unless every expected source has loaded since the month closed."""
    project_logs_at_info()
    month_end = dt.date.fromisoformat(period + "-01").replace(day=28) + dt.timedelta(days=4)
    month_end = month_end.replace(day=1)
    with _report_connection(conn_id) as conn:
        rows = conn.execute(
            "select source, status, last_loaded_at from marts.mart_pipeline_health order by source"
        ).fetchall()
    stale = [s for s, status, at in rows if at is None or at.date() < month_end]
    if stale:
        raise RuntimeError(f"report {period}: sources not loaded since {month_end}: {', '.join(stale)}")
    return {s: str(at) for s, _, at in rows}


def render_report(conn_id: str, period: str) -> list[str]:
    project_logs_at_info()
    from reporting.report import write_report
    from reporting.summary import write_summary

    out = Path(os.environ.get("PROJECT_OUT_DIR", "out"))
    with _report_connection(conn_id) as conn:
        paths = [write_summary(conn, period, out), *write_report(conn, period, out)]
    return [str(p) for p in paths]


def summarize_dbt_build(project_dir: str, context=None, **_) -> dict:
    """Cosmos' callback after ``dbt build``: what dbt built and tested, from its run_results.json.

    Logs one line and pushes it as the XCom ``dbt_summary``: ``nodes`` maps each kind
    (model, test, unit_test, seed, operation) to its count per status, and ``elapsed``
    is dbt's own time in seconds (``make run`` prints it).
    """
    import json

    project_logs_at_info()
    path = Path(project_dir) / "target" / "run_results.json"
    if not path.exists():
        log.warning("dbt wrote no run_results.json; nothing to summarise")
        return {}
    results = json.loads(path.read_text())
    nodes: dict[str, dict[str, int]] = {}
    for r in results.get("results", []):
        kind = r.get("unique_id", "?").split(".", 1)[0]
        status = str(r.get("status"))
        nodes.setdefault(kind, {})
        nodes[kind][status] = nodes[kind].get(status, 0) + 1
    summary = {"nodes": nodes, "elapsed": round(float(results.get("elapsed_time") or 0), 1)}
    log.info(
        "dbt build: %s in %.1fs",
        "; ".join(f"{k}: {', '.join(f'{n} {s}' for s, n in sorted(v.items()))}" for k, v in sorted(nodes.items())),
        summary["elapsed"],
    )
    ti = (context or {}).get("ti")
    if ti is not None:
        ti.xcom_push(key="dbt_summary", value=summary)
    return summary
