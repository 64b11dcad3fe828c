"""The bodies of the Airflow tasks: one call each into extractors/loaders.

Kept out of the DAG files so they import nothing heavy at parse time and can be
called (and tested) outside Airflow. Connections are read here, at run time.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def landing_dir() -> Path:
    from warehouse.config import project_root

    return Path(os.environ.get("LANDING_DIR", project_root() / "data" / "landing"))


def warehouse_connection(conn_id: str):
    """A psycopg 3 connection from the Airflow connection ``conn_id``."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook
    from psycopg.rows import tuple_row

    conn = PostgresHook(postgres_conn_id=conn_id).get_conn()
    conn.row_factory = tuple_row
    return conn


def extract_deskpro(conn_id: str, start: dt.datetime | None, end: dt.datetime | None, full_refresh: bool) -> str:
    from airflow.sdk import Connection

    from extractors.deskpro import DeskproConfig, run_extract

    config = DeskproConfig.from_connection(Connection.get(conn_id))
    # A manual trigger in Airflow 3 may carry no data interval. That reads from the
    # beginning (run_extract), but it is not a full refresh: it deletes nothing.
    batch = run_extract(config, landing_dir(), since=start, until=end, full_refresh=full_refresh)
    return str(batch.folder)


def retention_days() -> float:
    """Days a loaded landing batch is kept (``DJPK_LANDING_RETENTION_DAYS``, default 7)."""
    return float(os.environ.get("DJPK_LANDING_RETENTION_DAYS", "7"))


def _run_params() -> dict:
    try:
        from airflow.sdk import get_current_context

        return dict(get_current_context().get("params") or {})
    except Exception:  # outside a running task (CLI, tests)
        return {}


def load_manifest(conn_id: str, manifest: str, force_deletions: bool | None = None) -> dict:
    """Load one batch; then delete this source's landing batches loaded more than the
    retention period ago. ``force_deletions`` defaults to the DAG run's param."""
    from extractors.common.batch import prune, read_manifest
    from loaders import LoadOptions, load_batch

    if force_deletions is None:
        force_deletions = bool(_run_params().get("force_deletions", False))
    options = LoadOptions.from_env(force_deletions=force_deletions)
    with warehouse_connection(conn_id) as conn:
        result = load_batch(conn, manifest, options)
        m = read_manifest(manifest)
        loaded = {r[0] for r in conn.execute("select batch_id from raw._batches where source = %s",
                                              (m["source"],)).fetchall()}
    prune(Path(m["folder"]).parent.parent, m["source"], retention_days(), loaded.__contains__)
    return result.summary()


MART_TABLES = ("fct_consultations", "mart_monthly_channel_volume")


def check_marts(conn_id: str) -> dict:
    """Fail when a mart the report reads is missing or empty; return row counts."""
    counts = {}
    with warehouse_connection(conn_id) as conn:
        for table in MART_TABLES:
            counts[table] = conn.execute(f"select count(*) from marts.{table}").fetchone()[0]
    empty = [t for t, n in counts.items() if n == 0]
    if empty:
        raise RuntimeError(f"marts empty after dbt build: {', '.join(empty)}")
    log.info("marts ready: %s", counts)
    return counts


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
    month_end = dt.date.fromisoformat(period + "-01").replace(day=28) + dt.timedelta(days=4)
    month_end = month_end.replace(day=1)
    with _report_connection(conn_id) as conn:
        rows = conn.execute(
            "select source, status, last_loaded_at from marts.mart_pipeline_health order by source").fetchall()
    stale = [s for s, status, at in rows if at is None or at.date() < month_end]
    if stale:
        raise RuntimeError(f"report {period}: sources not loaded since {month_end}: {', '.join(stale)}")
    return {s: str(at) for s, _, at in rows}


def render_report(conn_id: str, period: str) -> list[str]:
    from reporting.report import write_report
    from reporting.summary import write_summary

    out = Path(os.environ.get("PROJECT_OUT_DIR", "out"))
    with _report_connection(conn_id) as conn:
        paths = [write_summary(conn, period, out), *write_report(conn, period, out)]
    return [str(p) for p in paths]
