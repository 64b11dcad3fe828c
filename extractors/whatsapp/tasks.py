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


def prune_after_load(manifest: str) -> list[str]:
    """After a successful load: delete the spool files this and earlier loaded extracts
    read in full, older than the retention (``DJPK_LANDING_RETENTION_DAYS``, default 7)."""
    from extractors.common.batch import read_manifest
    from extractors.whatsapp.spool import prune_spool
    from pipeline.tasks import retention_days

    window = read_manifest(manifest).get("window") or {}
    if not window.get("spool_dir") or not window.get("started_at"):
        return []
    deleted = prune_spool(window["spool_dir"], extracted_at=window["started_at"], read_from=window.get("read_from"),
                          keep_days=retention_days())
    return [p.name for p in deleted]
