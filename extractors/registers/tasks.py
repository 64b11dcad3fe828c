"""Airflow task bodies of the ``registers`` DAG (connections read here, at run time).

Kept beside the extractor because pipeline/tasks.py is shared; ``extract_registers``
mirrors ``pipeline.tasks.extract_deskpro``.
"""

from __future__ import annotations


def extract_registers(conn_id: str, warehouse_conn_id: str, full_refresh: bool) -> str:
    """Read the new and changed workbooks into a batch; return its folder."""
    from airflow.sdk import Connection

    from extractors.registers import RegistersConfig, loaded_workbooks, run_extract
    from pipeline.tasks import landing_dir, warehouse_connection

    config = RegistersConfig.from_connection(Connection.get(conn_id))
    loaded = {}
    if not full_refresh:
        with warehouse_connection(warehouse_conn_id) as conn:
            loaded = loaded_workbooks(conn)
    batch, _ = run_extract(config, landing_dir(), loaded, full_refresh=full_refresh)
    return str(batch.folder)
