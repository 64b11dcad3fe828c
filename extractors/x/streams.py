"""X API v2 streams for @DitjenPK, and the analytics CSV export.

- ``user_snapshots``: ``GET /2/users/by/username/:username?user.fields=public_metrics``
  (followers, following, posts, listed): current values only, so every run stores
  one row per (user, local date of the capture); the last capture of a day wins.
- ``tweets``: ``GET /2/users/:id/tweets`` with ``start_time``/``end_time`` (the run's
  window minus the lookback, so ``public_metrics`` stay fresh), ``max_results`` and
  ``pagination_token``; replies and reposts are kept (dbt decides what is content).
  A full refresh reads the whole timeline the API allows (the latest 3,200 posts)
  and deletes what it no longer returns, unless the cap was reached.
- ``account_analytics``: the CSV exports in ``analytics_dir`` (see ``analytics``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from extractors.common.batch import Batch
from extractors.common.http import MalformedPageError, SourceError
from extractors.common.streams import Stream, write_record
from extractors.x import models
from extractors.x.analytics import export_files, read_export
from extractors.x.client import PaginationTokenPaginator, XClient, response_json

if TYPE_CHECKING:
    from extractors.x import XConfig

log = logging.getLogger(__name__)

TIMELINE_CAP = 3200
TWEET_FIELDS = "created_at,public_metrics,referenced_tweets,conversation_id,lang,in_reply_to_user_id"
END_TIME_MARGIN = dt.timedelta(seconds=10)  # X wants end_time at least 10 s before the request


class XStream(Stream):
    source: ClassVar[str] = "x"


class UserSnapshotsStream(XStream):
    name = "user_snapshots"
    path = "/users/by/username/{username}"
    primary_key = ("user_id", "snapshot_date")
    schema = models.UserSnapshot
    params: ClassVar[dict] = {"user.fields": "public_metrics,created_at"}


class TweetsStream(XStream):
    name = "tweets"
    path = "/users/{user_id}/tweets"
    primary_key = ("id",)
    replication_key = "created_at"
    schema = models.Tweet
    params: ClassVar[dict] = {"tweet.fields": TWEET_FIELDS}


class AccountAnalyticsStream(XStream):
    name = "account_analytics"
    path = "<analytics_dir>/*.csv"
    primary_key = ("username", "date")
    schema = models.AnalyticsDay


STREAMS: tuple[type[XStream], ...] = (UserSnapshotsStream, TweetsStream, AccountAnalyticsStream)


def date_header(resp: Any) -> dt.datetime | None:
    value = resp.headers.get("Date")
    try:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    return None if parsed is None else (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC))


def x_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class XRun:
    client: XClient
    batch: Batch
    config: XConfig
    paginator: PaginationTokenPaginator
    server_now: dt.datetime | None = None
    user_id: str | None = None
    replayed_days: int = 0

    def run(self, since: dt.datetime | None, until: dt.datetime | None, full_refresh: bool) -> None:
        cfg = self.config
        for stream in STREAMS:  # every table exists after the first load, even when empty
            self.batch.stream(stream.name, stream.spec(), full_refresh and stream is TweetsStream)
        self.capture()
        if full_refresh and cfg.clock is not None:
            self.replay()
        now = self.server_now or dt.datetime.now(dt.UTC)
        end = min(until, now) if until else now
        read_from = None if full_refresh or since is None else since - cfg.lookback
        self.batch.window.update({"server_now": now.isoformat(), "read_from": read_from.isoformat() if read_from else None,
                                  "user_id": self.user_id, "replayed_days": self.replayed_days})
        self.tweets(read_from, end - END_TIME_MARGIN if read_from else None)
        self.analytics()
        self.batch.requests = self.client.request_count

    def capture(self, as_of: dt.datetime | None = None) -> None:
        cfg = self.config
        path = UserSnapshotsStream.path.format(username=cfg.username)
        params = dict(UserSnapshotsStream.params)
        if as_of is not None and cfg.clock is not None:
            params[cfg.clock.param] = as_of.isoformat()
        request = f"GET {path}?{urlencode(params)}"
        resp = self.client.get(path, params)
        body = response_json(resp, request, 1)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            errors = body.get("errors") if isinstance(body, dict) else None
            if errors:
                raise SourceError(f"x: {request}: {errors[0].get('detail') or errors[0]}")
            raise MalformedPageError(f"x: {request}: the answer has no 'data' object")
        captured = date_header(resp) or as_of or dt.datetime.now(dt.UTC)
        if as_of is None:
            self.server_now = self.server_now or captured
            self.user_id = str(data.get("id"))
        record = {"user_id": str(data.get("id")), "snapshot_date": captured.astimezone(ZoneInfo(cfg.timezone)).date().isoformat(),
                  "captured_at": captured.isoformat(), **data}
        write_record(self.batch, UserSnapshotsStream, record, request)
        res = self.batch.streams[UserSnapshotsStream.name]
        res.pages += 1
        if res.watermark is None or captured.isoformat() > res.watermark:
            res.watermark = captured.isoformat()

    def replay(self) -> None:
        """Stand-in only: the daily follower snapshot of every past day, as of its end."""
        cfg = self.config
        assert cfg.clock is not None and self.server_now is not None
        tz = ZoneInfo(cfg.timezone)
        today = self.server_now.astimezone(tz).date()
        day = cfg.clock.replay_from
        log.info("x: replaying daily snapshots %s .. %s on the stand-in's clock", day, today - dt.timedelta(days=1))
        while day < today:
            self.capture(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz) - dt.timedelta(seconds=1))
            self.replayed_days += 1
            day += dt.timedelta(days=1)

    def tweets(self, start: dt.datetime | None, end: dt.datetime | None) -> None:
        path = TweetsStream.path.format(user_id=self.user_id)
        params = dict(TweetsStream.params)
        if start is not None:
            params["start_time"] = x_time(start)
        if end is not None:
            params["end_time"] = x_time(end)
        res = self.batch.streams[TweetsStream.name]
        for page in self.paginator.pages(self.client, path, params):
            res.pages += 1
            for record in page.records:
                model = write_record(self.batch, TweetsStream, record, page.request, res.full_refresh)
                if model is not None and (res.watermark is None or model.created_at.isoformat() > res.watermark):
                    res.watermark = model.created_at.isoformat()
        if res.full_refresh and res.records + res.rejected >= TIMELINE_CAP:
            log.warning("x.tweets: the timeline cap (%d posts) was reached: older posts are out of the API's reach, "
                        "so this full refresh deletes nothing", TIMELINE_CAP)
            res.full_refresh = False

    def analytics(self) -> None:
        cfg = self.config
        out = self.batch.streams[AccountAnalyticsStream.name]
        if cfg.analytics_dir is None:
            log.warning("x.account_analytics: no analytics_dir configured: profile visits are not loaded")
            return
        folder = Path(cfg.analytics_dir)
        if not folder.is_dir():
            raise SourceError(f"x: analytics_dir {folder} does not exist (the folder the X analytics CSV exports are "
                              "dropped into)")
        files = export_files(folder)
        if not files:
            log.warning("x.account_analytics: no CSV export in %s: profile visits are not loaded", folder)
        for path in files:
            out.pages += 1
            request = f"FILE {path.name}"
            for record, problem in read_export(path, cfg.username):
                if problem is None:
                    write_record(self.batch, AccountAnalyticsStream, record, request)
                else:
                    key = f"file={path.name},line={record.get('source_line', '-')}"
                    log.error("x.account_analytics: %s rejected: %s", key, problem)
                    self.batch.stream(AccountAnalyticsStream.name, AccountAnalyticsStream.spec()).reject(
                        key, problem, record, request)
