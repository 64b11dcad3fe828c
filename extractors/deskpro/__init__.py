"""Deskpro help desk extractor (REST API v2).

Runs outside Airflow: ``python -m extractors run deskpro --since 2023-12-01 --until 2024-01-01``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.common.batch import Batch, window
from extractors.common.http import RestClient, RetryPolicy
from extractors.common.streams import PageNumberPaginator
from extractors.deskpro.auth import DeskproKeyAuth
from extractors.deskpro.streams import STREAMS, extract

log = logging.getLogger(__name__)

SOURCE = "deskpro"
CONN_ID = "deskpro_api"


@dataclass
class DeskproConfig:
    base_url: str  # e.g. https://helpdesk.example.go.id/api/v2
    api_key: str
    agent_id: int | None = None
    lookback: dt.timedelta = dt.timedelta(days=7)
    page_size: int = 200
    timeout: float = 30.0
    retry: RetryPolicy | None = None

    def __repr__(self) -> str:
        return f"DeskproConfig(base_url={self.base_url!r}, api_key='***', agent_id={self.agent_id!r})"

    @classmethod
    def from_connection(cls, conn: Any) -> DeskproConfig:
        """From an Airflow connection: password = API key; extra ``base_url`` or host/port/schema."""
        extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
        base_url = extra.get("base_url")
        if not base_url:
            scheme = "https" if (conn.conn_type or "").lower() == "https" else extra.get("scheme", "http")
            host = conn.host or ""
            if "://" in host:
                base_url = host
            else:
                port = f":{conn.port}" if conn.port else ""
                base_url = f"{scheme}://{host}{port}/{(conn.schema or 'api/v2').strip('/')}"
        return cls(
            base_url=base_url,
            api_key=conn.password or "",
            agent_id=int(extra["agent_id"]) if extra.get("agent_id") else None,
            lookback=dt.timedelta(days=float(extra.get("lookback_days", 7))),
            page_size=int(extra.get("page_size", 200)),
        )

    def client(self) -> RestClient:
        return RestClient(
            source=SOURCE,
            base_url=self.base_url,
            auth=DeskproKeyAuth(self.api_key, self.agent_id),
            timeout=self.timeout,
            retry=self.retry or RetryPolicy(),
        )


def run_extract(
    config: DeskproConfig,
    landing_dir: str | Path,
    since: dt.datetime | None,
    until: dt.datetime | None = None,
    full_refresh: bool = False,
    batch_id: str | None = None,
) -> Batch:
    """Extract one window into a committed batch.

    Reads every ticket whose status changed at or after ``since - lookback``
    (everything on ``full_refresh``, or when ``since`` is None, e.g. a manual
    Airflow 3 run without a data interval: that reads everything but, unless
    ``full_refresh``, deletes nothing). ``until`` is recorded, not applied: the API
    serves current state only, and a newer state of a ticket is never wrong to keep.
    """
    read_from = None if full_refresh or since is None else since - config.lookback
    with Batch(landing_dir, SOURCE, batch_id or "") as batch:
        lookback_days = config.lookback.total_seconds() / 86400
        batch.window = window(since, until, read_from=read_from, lookback_days=lookback_days, full_refresh=full_refresh)
        log.info("deskpro: extracting from %s, status changed since %s", config.base_url, read_from or "the beginning")
        paginator = PageNumberPaginator(page_size=config.page_size)
        extract(config.client(), batch, read_from, paginator, full_refresh=full_refresh)
    return batch


__all__ = ["CONN_ID", "SOURCE", "STREAMS", "DeskproConfig", "run_extract"]
