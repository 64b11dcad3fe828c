"""Google Analytics 4 extractor (Data API v1beta, ``runReport``).

Runs outside Airflow: ``python -m extractors run ga4 --since 2023-12-01 --until 2024-01-01``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from extractors.common.batch import Batch, window
from extractors.common.http import BearerTokenAuth, RetryPolicy
from extractors.ga4.auth import ServiceAccountAuth
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
        auth = ServiceAccountAuth(key) if key else BearerTokenAuth(conn.password or "", "ga4", "access token")
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
    with Batch(landing_dir, SOURCE, batch_id or "") as batch:
        batch.window = window(
            since,
            until,
            first_day=plan.first_day,
            last_day=plan.last_day,
            months=[m.isoformat()[:7] for m in plan.months],
            property_id=config.property_id,
            time_zone=config.time_zone,
            full_refresh=full,
        )
        log.info(
            "ga4: property %s, %s..%s (%d months)", config.property_id, plan.first_day, plan.last_day, len(plan.months)
        )
        paginator = OffsetPaginator(config.page_size)
        extract(config.client(), batch, config.property_id, plan, paginator, config.time_zone, full)
    skipped = batch.window.get("skipped_reports") or []
    if skipped:
        log.warning(
            "ga4: %d report(s) refused and skipped this run, the others loaded (see raw._quarantine): %s",
            len(skipped),
            ", ".join(f"{s['stream']} {s['key']}" for s in skipped),
        )
    return batch


__all__ = ["CONN_ID", "SOURCE", "STREAMS", "Ga4Config", "run_extract"]
