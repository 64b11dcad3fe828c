"""The body of the ``whatsapp`` DAG's extract task (connections are read here, at run time)."""

from __future__ import annotations

import datetime as dt


def extract_whatsapp(conn_id: str, start: dt.datetime | None, end: dt.datetime | None, full_refresh: bool) -> str:
    """Read the spool and the exports named by Airflow connection ``conn_id`` into a batch; its folder."""
    from airflow.sdk import Connection

    from extractors.whatsapp import WhatsappConfig, run_extract
    from pipeline.tasks import landing_dir

    config = WhatsappConfig.from_connection(Connection.get(conn_id))
    batch = run_extract(config, landing_dir(), since=start, until=end, full_refresh=full_refresh)
    return str(batch.folder)
