"""After a WhatsApp load: the spool's retention (the source's ``after_load`` hook)."""

from __future__ import annotations


def prune_after_load(manifest: str) -> list[str]:
    """Delete the spool files this and earlier loaded extracts read in full, older than
    the retention (``DJPK_LANDING_RETENTION_DAYS``, default 7)."""
    from extractors.common.batch import read_manifest
    from extractors.runner import retention_days
    from extractors.whatsapp.spool import prune_spool

    window = read_manifest(manifest).get("window") or {}
    if not window.get("spool_dir") or not window.get("started_at"):
        return []
    deleted = prune_spool(
        window["spool_dir"],
        extracted_at=window["started_at"],
        read_from=window.get("read_from"),
        keep_days=retention_days(),
    )
    return [p.name for p in deleted]
