"""WhatsApp Business (Cloud API) extractor: webhook spool + BSP export -> batch.

The receiver (``python -m extractors.whatsapp.receiver``) keeps every webhook
delivery in a spool; this package turns the spool, plus BSP exports of the
history the receiver never saw, into a batch:

    python -m extractors run whatsapp   # spool and export folders from connection ``whatsapp_files``
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.common.batch import Batch, window

log = logging.getLogger(__name__)

SOURCE = "whatsapp"
CONN_ID = "whatsapp_files"


@dataclass
class WhatsappConfig:
    spool_dir: Path | None
    export_dir: Path | None = None
    lookback: dt.timedelta = dt.timedelta(days=2)

    @classmethod
    def from_connection(cls, conn: Any) -> WhatsappConfig:
        """Airflow connection ``whatsapp_files``: extra ``spool_dir``, ``export_dir``, ``lookback_days``."""
        extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else json.loads(getattr(conn, "extra", "") or "{}")
        spool = extra.get("spool_dir") or None
        if not spool:
            raise ValueError("whatsapp: connection has no extra.spool_dir (the receiver's spool directory)")
        return cls(
            spool_dir=Path(spool),
            export_dir=Path(extra["export_dir"]) if extra.get("export_dir") else None,
            lookback=dt.timedelta(days=float(extra.get("lookback_days", 2))),
        )


def run_extract(
    config: WhatsappConfig,
    landing_dir: str | Path,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    full_refresh: bool = False,
    batch_id: str | None = None,
) -> Batch:
    """Read the spool (and the exports) into one committed batch.

    Incremental: spool files received from ``since - lookback`` (by day) and export
    files changed since then. ``full_refresh`` (or no ``since``) reads everything;
    messages and statuses are append-only, so nothing is ever deleted (spool files
    rotate and expire, messages do not). ``until`` is recorded only:
    a record received later is never wrong to keep.
    """
    from extractors.whatsapp.streams import extract

    if config.spool_dir is not None and not config.spool_dir.is_dir():
        raise FileNotFoundError(f"whatsapp: spool directory {config.spool_dir} does not exist")
    read_from = None if full_refresh or since is None else since - config.lookback
    with Batch(landing_dir, SOURCE, batch_id or "") as batch:
        batch.window = window(
            since,
            until,
            read_from=read_from,
            full_refresh=read_from is None,
            # for prune_spool after the load: what this extract read in full, from when
            started_at=dt.datetime.now(dt.UTC),
            spool_dir=str(config.spool_dir) if config.spool_dir else None,
        )
        stats = extract(batch, config.spool_dir, config.export_dir, read_from, full_refresh=read_from is None)
        batch.window.update(
            deliveries=stats.deliveries,
            export_lines=stats.export_lines,
            duplicates=dict(stats.duplicates),
            skipped_fields=dict(stats.skipped_fields),
        )
    return batch


__all__ = ["CONN_ID", "SOURCE", "WhatsappConfig", "run_extract"]
