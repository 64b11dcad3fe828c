"""The body of the ``email_lapor`` DAG's extract task (connections read at run time).

Kept beside the extractor so the DAG file imports nothing heavy at parse time.
"""

from __future__ import annotations

import datetime as dt


def extract_task(imap_conn_id: str, warehouse_conn_id: str, full_refresh: bool,
                 start: dt.datetime | None = None, end: dt.datetime | None = None) -> str:
    """Read the cursor from the warehouse, pull the new messages, return the batch folder."""
    from airflow.sdk import Connection

    from extractors.email_lapor import ImapConfig, read_state, run_extract
    from pipeline.tasks import landing_dir, warehouse_connection

    config = ImapConfig.from_connection(Connection.get(imap_conn_id))
    with warehouse_connection(warehouse_conn_id) as conn:
        state = read_state(conn, config.mailbox_key)
    window = {"since": start.isoformat() if start else None, "until": end.isoformat() if end else None}
    batch = run_extract(config, landing_dir(), state, full_refresh=full_refresh, window=window)
    return str(batch.folder)
