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
    batch = run_extract(config, landing_dir(), since=start, until=end, full_refresh=full_refresh)
    return str(batch.folder)


def load_manifest(conn_id: str, manifest: str) -> dict:
    from loaders import load_batch

    with warehouse_connection(conn_id) as conn:
        return load_batch(conn, manifest).summary()


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
