"""The website's CMS: publications (posts) and their categories.

The CMS kind is configuration (connection extra ``kind``); ``wordpress`` (the
WordPress REST API, extractors/cms/wordpress.py) is the one implemented. Another
CMS adds a module with the same contract (``make_client``, ``extract`` writing
the ``posts`` and ``categories`` streams in the same shape) and an entry in ``KINDS``.

Runs outside Airflow: ``python -m extractors run cms --since 2023-12-01``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.cms import wordpress
from extractors.cms.auth import ApplicationPasswordAuth
from extractors.common.batch import Batch, window
from extractors.common.http import RetryPolicy

log = logging.getLogger(__name__)

SOURCE = "cms"
CONN_ID = "cms_api"
KINDS = {"wordpress": wordpress}


@dataclass
class CmsConfig:
    base_url: str  # the site root, e.g. https://djpk.kemenkeu.go.id
    kind: str = "wordpress"
    rest_root: str = "/wp-json"  # "/?rest_route=" on sites without pretty permalinks
    username: str | None = None
    password: str | None = None  # a WordPress application password, when the site needs one
    lookback: dt.timedelta = dt.timedelta(days=7)
    site_timezone: str = "Asia/Jakarta"  # WordPress's Settings -> General -> Timezone
    page_size: int = 100
    timeout: float = 30.0
    retry: RetryPolicy | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"cms: kind {self.kind!r} is not supported; supported: {', '.join(sorted(KINDS))}")

    def __repr__(self) -> str:
        return (
            f"CmsConfig(kind={self.kind!r}, base_url={self.base_url!r}, username={self.username!r}, "
            f"password={'***' if self.password else None})"
        )

    @classmethod
    def from_connection(cls, conn: Any) -> CmsConfig:
        """From an Airflow connection: extra ``base_url`` (site root) or host; ``kind``
        (default ``wordpress``), ``rest_root``, ``lookback_days``, ``site_timezone``,
        ``page_size``; login/password = a WordPress application password, if needed."""
        extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
        base_url = extra.get("base_url") or conn.host or ""
        if base_url and "://" not in base_url:
            base_url = f"https://{base_url}" + (f":{conn.port}" if conn.port else "")
        if not base_url:
            raise ValueError("cms: the connection needs extra.base_url (the site root) or a host")
        return cls(
            base_url=base_url,
            kind=extra.get("kind", "wordpress"),
            rest_root=extra.get("rest_root", "/wp-json"),
            username=conn.login or None,
            password=conn.password or None,
            lookback=dt.timedelta(days=float(extra.get("lookback_days", 7))),
            site_timezone=extra.get("site_timezone", "Asia/Jakarta"),
            page_size=int(extra.get("page_size", 100)),
        )

    def client(self):
        auth = ApplicationPasswordAuth(self.username, self.password or "") if self.username else None
        return KINDS[self.kind].make_client(
            SOURCE, self.base_url, self.rest_root, auth, self.timeout, self.retry or RetryPolicy()
        )


def run_extract(
    config: CmsConfig,
    landing_dir: str | Path,
    since: dt.datetime | None,
    until: dt.datetime | None = None,
    full_refresh: bool = False,
    batch_id: str | None = None,
) -> Batch:
    """Extract posts modified since ``since - lookback`` (every post on a full refresh) and all categories.

    ``until`` is recorded, not applied: a newer state of a post is never wrong to keep.
    """
    read_from = None if full_refresh or since is None else since - config.lookback
    with Batch(landing_dir, SOURCE, batch_id or "") as batch:
        batch.window = window(
            since,
            until,
            read_from=read_from,
            lookback_days=config.lookback.total_seconds() / 86400,
            kind=config.kind,
            full_refresh=full_refresh,
        )
        log.info("cms: %s at %s, posts modified since %s", config.kind, config.base_url, read_from or "the beginning")
        KINDS[config.kind].extract(
            config.client(),
            batch,
            read_from,
            page_size=config.page_size,
            site_timezone=config.site_timezone,
            full_refresh=full_refresh,
        )
    return batch


__all__ = ["CONN_ID", "KINDS", "SOURCE", "CmsConfig", "run_extract"]
