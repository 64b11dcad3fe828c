"""Meta Graph API extractor: Instagram @ditjenpk (business account) and the Facebook
Page "DitjenPK Kemenkeu RI".

Runs outside Airflow: ``python -m extractors run meta --full-refresh``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.common.batch import Batch, window
from extractors.common.http import RetryPolicy
from extractors.meta.auth import GraphTokenAuth
from extractors.meta.client import GraphClient, GraphCursorPaginator
from extractors.meta.config import (
    IG_MEDIA_METRICS,
    IG_USER_METRICS,
    PAGE_METRICS,
    POST_METRICS,
    MetricSpec,
    check_metrics,
)
from extractors.meta.streams import STREAMS, MetaRun

log = logging.getLogger(__name__)

SOURCE = "meta"
CONN_ID = "meta_graph_api"
DEFAULT_BASE_URL = "https://graph.facebook.com/v19.0"


@dataclass
class MetaConfig:
    base_url: str  # https://graph.facebook.com/<version>
    access_token: str
    ig_user_id: str | None = None
    page_id: str | None = None
    ig_user_metrics: list[MetricSpec] = field(default_factory=lambda: list(IG_USER_METRICS))
    ig_media_metrics: list[str] = field(default_factory=lambda: list(IG_MEDIA_METRICS))
    page_metrics: list[str] = field(default_factory=lambda: list(PAGE_METRICS))
    post_metrics: list[str] = field(default_factory=lambda: list(POST_METRICS))
    media_insights_product_types: tuple[str, ...] = ("FEED", "REELS")
    lookback: dt.timedelta = dt.timedelta(days=7)
    insights_window_days: int = 30
    history_start: dt.date | None = None  # first day of insights on a full refresh (default: 2 years back)
    page_size: int = 100
    usage_threshold: float = 80.0
    throttle_seconds: float = 60.0
    timezone: str = "Asia/Jakarta"
    token_placement: str = "header"  # or "query": access_token=... in the URL
    history_dir: str | None = None  # earlier captures to import on a full refresh (extractors.meta.history)
    timeout: float = 30.0
    retry: RetryPolicy | None = None

    def __post_init__(self) -> None:
        if not self.ig_user_id and not self.page_id:
            raise ValueError("meta: configure ig_user_id and/or page_id")
        if not 1 <= self.insights_window_days <= 90:
            raise ValueError("meta: insights_window_days must be 1..90 (Meta's since/until limit)")
        check_metrics(
            [m.name for m in self.ig_user_metrics]
            + list(self.ig_media_metrics)
            + list(self.page_metrics)
            + list(self.post_metrics)
        )

    def __repr__(self) -> str:
        return (
            f"MetaConfig(base_url={self.base_url!r}, access_token='***', ig_user_id={self.ig_user_id!r}, "
            f"page_id={self.page_id!r})"
        )

    @classmethod
    def from_connection(cls, conn: Any) -> MetaConfig:
        """From an Airflow connection: password = access token; the rest in extra."""
        extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
        base_url = extra.get("base_url") or (conn.host if conn.host and "://" in conn.host else None)
        kw: dict[str, Any] = {}
        if "ig_user_metrics" in extra:
            kw["ig_user_metrics"] = [MetricSpec.parse(m) for m in extra["ig_user_metrics"]]
        for name in ("ig_media_metrics", "page_metrics", "post_metrics"):
            if name in extra:
                kw[name] = [str(m) for m in extra[name]]
        if "media_insights_product_types" in extra:
            kw["media_insights_product_types"] = tuple(extra["media_insights_product_types"])
        return cls(
            base_url=base_url or DEFAULT_BASE_URL,
            access_token=conn.password or "",
            ig_user_id=str(extra["ig_user_id"]) if extra.get("ig_user_id") else None,
            page_id=str(extra["page_id"]) if extra.get("page_id") else None,
            lookback=dt.timedelta(days=float(extra.get("lookback_days", 7))),
            insights_window_days=int(extra.get("insights_window_days", 30)),
            history_start=dt.date.fromisoformat(extra["history_start"]) if extra.get("history_start") else None,
            page_size=int(extra.get("page_size", 100)),
            usage_threshold=float(extra.get("usage_threshold", 80)),
            throttle_seconds=float(extra.get("throttle_seconds", 60)),
            timezone=str(extra.get("timezone", "Asia/Jakarta")),
            token_placement=str(extra.get("token_placement", "header")),
            history_dir=str(extra["history_dir"]) if extra.get("history_dir") else None,
            **kw,
        )

    def client(self) -> GraphClient:
        return GraphClient(
            source=SOURCE,
            base_url=self.base_url,
            auth=GraphTokenAuth(self.access_token, self.token_placement),
            timeout=self.timeout,
            retry=self.retry or RetryPolicy(),
            usage_threshold=self.usage_threshold,
            throttle_seconds=self.throttle_seconds,
        )


def run_extract(
    config: MetaConfig,
    landing_dir: str | Path,
    since: dt.datetime | None,
    until: dt.datetime | None = None,
    full_refresh: bool = False,
    batch_id: str | None = None,
    client: GraphClient | None = None,
) -> Batch:
    """Extract one window into a committed batch (see ``extractors.meta.streams``)."""
    full = full_refresh or since is None
    lookback_days = config.lookback.total_seconds() / 86400
    batch = Batch(landing_dir, SOURCE, batch_id or "")
    batch.window = window(since, until, lookback_days=lookback_days, full_refresh=full)
    client = client or config.client()
    log.info(
        "meta: extracting from %s (ig %s, page %s), %s",
        config.base_url,
        config.ig_user_id,
        config.page_id,
        "full refresh" if full else f"window {since} .. {until} minus {config.lookback}",
    )
    run = MetaRun(client, batch, config, GraphCursorPaginator(page_size=config.page_size))
    with batch:
        run.run(since, until, full)
    if run.dropped:
        log.error(
            "meta: %d metric(s) DROPPED this run (see raw._quarantine): %s",
            len(run.dropped),
            ", ".join(f"{s}.{m}" for s, m in run.dropped),
        )
    if run.skipped:
        log.warning(
            "meta: %d item(s) skipped this run, the others loaded (see raw._quarantine): %s",
            len(run.skipped),
            ", ".join(f"{s['stream']} {s['key']}" for s in run.skipped[:20])
            + (" ..." if len(run.skipped) > 20 else ""),
        )
    return batch


__all__ = ["CONN_ID", "SOURCE", "STREAMS", "MetaConfig", "run_extract"]
