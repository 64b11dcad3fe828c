"""Airflow task body for the ``avaya`` DAG (kept out of the DAG file; imported inside the task).

Reads the connection at run time only. The integrator may move this next to
``pipeline.tasks.extract_deskpro`` as ``extract_avaya``.
"""

from __future__ import annotations

import datetime as dt


def extract_avaya(conn_id: str, warehouse_conn_id: str, start: dt.datetime | None, end: dt.datetime | None,
                  full_refresh: bool) -> str:
    from airflow.sdk import Connection

    from extractors.avaya import AvayaConfig, loaded_files, run_extract
    from pipeline.tasks import landing_dir, warehouse_connection

    config = AvayaConfig.from_connection(Connection.get(conn_id))
    loaded: dict[str, str] = {}
    if not full_refresh:
        with warehouse_connection(warehouse_conn_id) as conn:
            loaded = loaded_files(conn)
    batch = run_extract(config, landing_dir(), loaded, full_refresh=full_refresh, since=start, until=end)
    return str(batch.folder)
