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

Per-item errors stay per item: an ``errors`` entry about one post that comes
beside a timeline page's ``data`` (not found, not authorized, or a field it may
not show) is recorded in the batch's rejections (``raw._quarantine``, key
``id=<post id>``, with X's title, problem type and detail) and the rest of the
timeline loads. A post that is missing entirely is skipped; one that arrived
without a field is kept (action "nulled"). A full refresh with such a post
deletes nothing that run. Token, access-level and usage-cap errors fail at once.

On a full refresh, earlier follower snapshots found in ``history_dir`` are
imported first (``extractors.common.history``): ``user_snapshots.jsonl``, the user as
``GET /2/users/by/username/:username`` returns it in ``data``, plus ``captured_at``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from extractors.common.batch import Batch
from extractors.common.history import captured_at, import_file
from extractors.common.http import MalformedPageError, SourceError
from extractors.common.streams import Listing, Stream, write_record
from extractors.x import models
from extractors.x.analytics import export_files, read_export
from extractors.x.client import (
    PaginationTokenPaginator,
    XClient,
    describe_problem,
    problem_kind,
    response_json,
)

if TYPE_CHECKING:
    from extractors.x import XConfig

log = logging.getLogger(__name__)

HISTORY_FILE = "user_snapshots.jsonl"

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
    imported: int = 0  # history_dir lines loaded
    skipped: list[dict[str, Any]] = field(default_factory=list)  # posts skipped or incomplete, and why

    def run(self, since: dt.datetime | None, until: dt.datetime | None, full_refresh: bool) -> None:
        cfg = self.config
        for stream in STREAMS:  # every table exists after the first load, even when empty
            self.batch.stream(stream.name, stream.spec(), full_refresh and stream is TweetsStream)
        if full_refresh and cfg.history_dir:  # before this run's capture, which wins a shared day
            self.import_history(Path(cfg.history_dir))
        self.capture()
        now = self.server_now or dt.datetime.now(dt.UTC)
        end = min(until, now) if until else now
        read_from = None if full_refresh or since is None else since - cfg.lookback
        self.batch.window.update(
            {
                "server_now": now.isoformat(),
                "read_from": read_from.isoformat() if read_from else None,
                "user_id": self.user_id,
                "imported": self.imported,
            }
        )
        self.tweets(read_from, end - END_TIME_MARGIN if read_from else None)
        self.batch.window["skipped_items"] = self.skipped
        self.analytics()
        self.batch.requests = self.client.request_count

    def capture(self) -> None:
        cfg = self.config
        path = UserSnapshotsStream.path.format(username=cfg.username)
        params = dict(UserSnapshotsStream.params)
        request = f"GET {path}?{urlencode(params)}"
        resp = self.client.get(path, params)
        body = response_json(resp, request, 1)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            errors = body.get("errors") if isinstance(body, dict) else None
            if errors:
                raise SourceError(f"x: {request}: {errors[0].get('detail') or errors[0]}")
            raise MalformedPageError(f"x: {request}: the answer has no 'data' object")
        captured = date_header(resp) or dt.datetime.now(dt.UTC)
        self.server_now = self.server_now or captured
        self.user_id = str(data.get("id"))
        self.write_snapshot(data, captured, request)

    def write_snapshot(self, data: dict[str, Any], captured: dt.datetime, request: str) -> None:
        record = {
            "user_id": str(data.get("id")),
            "snapshot_date": captured.astimezone(ZoneInfo(self.config.timezone)).date().isoformat(),
            "captured_at": captured.isoformat(),
            **{k: v for k, v in data.items() if k != "captured_at"},
        }
        model = write_record(self.batch, UserSnapshotsStream, record, request)
        res = self.batch.streams[UserSnapshotsStream.name]
        res.pages += 1
        if model is not None and (res.watermark is None or captured.isoformat() > res.watermark):
            res.watermark = captured.isoformat()

    def import_history(self, folder: Path) -> None:
        """Earlier follower snapshots from ``history_dir`` (see the module's docstring)."""
        if not folder.is_dir():
            raise SourceError(
                f"x: history_dir {folder} does not exist (the folder of earlier follower snapshots "
                "to import on a full refresh)"
            )
        path = folder / HISTORY_FILE
        if not path.is_file():
            log.warning("x.user_snapshots: no %s in %s: nothing imported", HISTORY_FILE, folder)
            return
        out = self.batch.stream(UserSnapshotsStream.name, UserSnapshotsStream.spec())
        self.imported = import_file(out, path, "x.user_snapshots", self._import_line)
        log.info("x.user_snapshots: %d earlier snapshots imported from %s", self.imported, path)

    def _import_line(self, obj: dict[str, Any], request: str) -> str | None:
        """One ``history_dir`` snapshot written, or why not."""
        at, problem = captured_at(obj)
        if problem is None and str(obj.get("username", "")).lower() != self.config.username.lower():
            problem = f"the snapshot of another account (@{obj.get('username')}), not @{self.config.username}"
        if problem is None and at is not None:
            self.write_snapshot(obj, at, request)
        return problem

    def tweets(self, start: dt.datetime | None, end: dt.datetime | None) -> None:
        path = TweetsStream.path.format(user_id=self.user_id)
        params = dict(TweetsStream.params)
        if start is not None:
            params["start_time"] = x_time(start)
        if end is not None:
            params["end_time"] = x_time(end)
        res = self.batch.streams[TweetsStream.name]
        listing = Listing()
        for page in self.paginator.pages(self.client, path, params, listing):
            res.pages += 1
            for record in page.records:
                model = write_record(self.batch, TweetsStream, record, page.request, res.full_refresh)
                if model is not None and (res.watermark is None or model.created_at.isoformat() > res.watermark):
                    res.watermark = model.created_at.isoformat()
            loaded = {str(r.get("id")) for r in page.records if isinstance(r, dict)}
            for error in page.errors:
                self.skip_post(error, loaded, page.request)
        if res.full_refresh and self.skipped:
            log.warning("x.tweets: %d post(s) came with errors: this full refresh deletes nothing", len(self.skipped))
            res.full_refresh = False
        if res.full_refresh and res.records + res.rejected >= TIMELINE_CAP:
            log.warning(
                "x.tweets: the timeline cap (%d posts) was reached: older posts are out of the API's reach, "
                "so this full refresh deletes nothing",
                TIMELINE_CAP,
            )
            res.full_refresh = False
        listing.attest(self.batch.stream(TweetsStream.name, TweetsStream.spec()))

    def skip_post(self, error: dict[str, Any], loaded: set[str], request: str) -> None:
        """Record a per-item error of the timeline: the post is skipped, or kept without a field."""
        out = self.batch.stream(TweetsStream.name, TweetsStream.spec())
        post_id = str(error.get("resource_id") or error.get("value") or "")
        kept = post_id in loaded
        what = (
            f"the post loaded without {error.get('field') or 'a field'!s}"
            if kept
            else "the post is skipped for this run"
        )
        reason = f"{describe_problem(error)}; {what}, the rest of the timeline loaded"
        problem = {
            k: error[k]
            for k in ("title", "type", "detail", "resource_type", "parameter", "section", "field")
            if k in error
        }
        record = {"id": post_id, "error": problem}
        key = TweetsStream.describe(record)
        out.reject(key, reason, record, request, action="nulled" if kept else "rejected")
        if kept:
            out.result.nulled += 1
        self.skipped.append({"stream": TweetsStream.name, "key": key, "kind": problem_kind(error), "kept": kept})
        log.warning("x.tweets: %s %s: %s", key, "incomplete" if kept else "skipped", reason)

    def analytics(self) -> None:
        cfg = self.config
        out = self.batch.streams[AccountAnalyticsStream.name]
        if cfg.analytics_dir is None:
            log.warning("x.account_analytics: no analytics_dir configured: profile visits are not loaded")
            return
        folder = Path(cfg.analytics_dir)
        if not folder.is_dir():
            raise SourceError(
                f"x: analytics_dir {folder} does not exist (the folder the X analytics CSV exports are dropped into)"
            )
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
                        key, problem, record, request
                    )
