"""Google Analytics 4 extractor (Data API v1beta, ``runReport``).

Runs outside Airflow: ``python -m extractors.ga4 --since 2023-12-01 --until 2024-01-01``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from extractors.common.batch import Batch
from extractors.common.http import RetryPolicy
from extractors.ga4.auth import BearerTokenAuth, ServiceAccountAuth
from extractors.ga4.client import Ga4Client, OffsetPaginator
from extractors.ga4.streams import STREAMS, Plan, extract, plan_window

log = logging.getLogger(__name__)

SOURCE = "ga4"
CONN_ID = "ga4_api"
GOOGLE_BASE_URL = "https://analyticsdata.googleapis.com/v1beta"


@dataclass
class Ga4Config:
    property_id: str
    auth: requests.auth.AuthBase = field(repr=False)
    base_url: str = GOOGLE_BASE_URL
    start_date: dt.date = dt.date(2022, 12, 1)  # where a full refresh starts
    lookback: dt.timedelta = dt.timedelta(days=3)  # GA4 settles a day's data within ~72 hours
    time_zone: str = "Asia/Jakarta"  # the property's reporting time zone = the report's
    page_size: int = 10_000
    timeout: float = 60.0
    retry: RetryPolicy | None = None

    def __repr__(self) -> str:
        return f"Ga4Config(property_id={self.property_id!r}, base_url={self.base_url!r}, auth={self.auth!r})"

    @classmethod
    def from_env(cls) -> Ga4Config:
        """``GA4_PROPERTY_ID`` + ``GA4_ACCESS_TOKEN`` or ``GA4_KEY_FILE`` (+ ``GA4_URL``, ``GA4_START_DATE``)."""
        prop = os.environ.get("GA4_PROPERTY_ID")
        if not prop:
            raise SystemExit("ga4: set GA4_PROPERTY_ID and GA4_ACCESS_TOKEN (or GA4_KEY_FILE, a service-account key)")
        if os.environ.get("GA4_KEY_FILE"):
            auth: requests.auth.AuthBase = ServiceAccountAuth(Path(os.environ["GA4_KEY_FILE"]).read_text())
        else:
            auth = BearerTokenAuth(os.environ.get("GA4_ACCESS_TOKEN", ""))
        return cls(
            property_id=prop,
            auth=auth,
            base_url=os.environ.get("GA4_URL", GOOGLE_BASE_URL),
            start_date=dt.date.fromisoformat(os.environ.get("GA4_START_DATE", "2022-12-01")),
        )

    @classmethod
    def from_connection(cls, conn: Any) -> Ga4Config:
        """From an Airflow connection.

        Credentials: extra ``keyfile_dict`` (the service-account key JSON, as the
        Google provider stores it) or ``key_path``; else the password is used as a
        ready access token. Extra ``property_id`` (required), ``base_url``,
        ``start_date``, ``lookback_days``, ``time_zone``, ``page_size``.
        """
        extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
        if not extra.get("property_id"):
            raise ValueError("ga4: the connection needs extra.property_id (the GA4 property's numeric id)")
        key = extra.get("keyfile_dict")
        if extra.get("key_path"):
            key = Path(extra["key_path"]).read_text()
        auth = ServiceAccountAuth(key) if key else BearerTokenAuth(conn.password or "")
        return cls(
            property_id=str(extra["property_id"]),
            auth=auth,
            base_url=extra.get("base_url") or GOOGLE_BASE_URL,
            start_date=dt.date.fromisoformat(str(extra.get("start_date", "2022-12-01"))),
            lookback=dt.timedelta(days=float(extra.get("lookback_days", 3))),
            time_zone=extra.get("time_zone", "Asia/Jakarta"),
            page_size=int(extra.get("page_size", 10_000)),
        )

    def client(self) -> Ga4Client:
        return Ga4Client(
            source=SOURCE,
            base_url=self.base_url,
            auth=self.auth,
            timeout=self.timeout,
            retry=self.retry or RetryPolicy(),
        )

    def plan(
        self, since: dt.datetime | None, until: dt.datetime | None, full_refresh: bool, today: dt.date | None = None
    ) -> Plan:
        """Days and months to ask: [since - lookback, until) in the property's time zone.

        A full refresh (or no ``since``) starts at ``start_date``. Months are asked
        whole, so the month of the window's first day is re-read completely.
        """
        tz = ZoneInfo(self.time_zone)
        today = today or dt.datetime.now(tz).date()
        last = (until - dt.timedelta(microseconds=1)).astimezone(tz).date() if until else today
        if full_refresh or since is None:
            first = self.start_date
        else:
            first = max(self.start_date, (since - self.lookback).astimezone(tz).date())
        if last < first:
            last = first
        return plan_window(first, last)


def run_extract(
    config: Ga4Config,
    landing_dir: str | Path,
    since: dt.datetime | None,
    until: dt.datetime | None = None,
    full_refresh: bool = False,
    batch_id: str | None = None,
) -> Batch:
    """Extract the window's reports into a committed batch (see ``Ga4Config.plan``)."""
    full = full_refresh or since is None
    plan = config.plan(since, until, full)
    batch = Batch(Path(landing_dir), SOURCE, batch_id or "")
    batch.window = {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "first_day": plan.first_day.isoformat(),
        "last_day": plan.last_day.isoformat(),
        "months": [m.isoformat()[:7] for m in plan.months],
        "property_id": config.property_id,
        "time_zone": config.time_zone,
        "full_refresh": full,
    }
    client = config.client()
    log.info(
        "ga4: property %s, %s..%s (%d months)", config.property_id, plan.first_day, plan.last_day, len(plan.months)
    )
    try:
        extract(client, batch, config.property_id, plan, OffsetPaginator(config.page_size), config.time_zone, full)
    except BaseException:
        batch.abort()
        raise
    batch.commit()
    skipped = batch.window.get("skipped_reports") or []
    if skipped:
        log.warning(
            "ga4: %d report(s) refused and skipped this run, the others loaded (see raw._quarantine): %s",
            len(skipped),
            ", ".join(f"{s['stream']} {s['key']}" for s in skipped),
        )
    return batch


def counts(batch: Batch) -> str:
    """Per-stream counts as JSON (what the command line prints)."""
    return json.dumps(
        {
            "batch": str(batch.folder),
            "requests": batch.requests,
            "streams": {
                n: {"records": r.records, "rejected": r.rejected, "pages": r.pages, "watermark": r.watermark}
                for n, r in batch.streams.items()
            },
        },
        indent=2,
    )


__all__ = ["CONN_ID", "SOURCE", "STREAMS", "Ga4Config", "run_extract"]
