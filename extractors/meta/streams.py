"""Meta Graph API streams: Instagram @ditjenpk and the Facebook Page.

Current-value streams (``ig_account_snapshots``, ``fb_page_snapshots``) capture
what the API says now, keyed by the local date of the capture (the response's
``Date`` header in Asia/Jakarta time): several captures a day keep the last one.
``ig_stories`` only ever returns the last 24 hours, so it is captured on every run
and never reconciled (a story that left the API is not deleted).
List edges (``ig_media``, ``fb_posts``) are read with cursor paging, newest first,
for the window minus the lookback (everything on a full refresh, which then also
deletes what the API no longer returns). Insights: lifetime metrics per media and
post listed in the run; account/Page daily metrics in since/until windows of at
most ``insights_window_days``; ``total_value`` metrics one UTC day at a time.
A metric the API rejects as invalid is dropped for the run and reported (see
``MetaRun.insights``); the other metrics and streams still load.

Per-item errors stay per item: when the insights of ONE media or post answer an
error about that object only (``client.ITEM_ERRORS``: posted before the business
account conversion, too few viewers, the object gone), that item's metrics are
skipped with the reason in the batch's rejections (``raw._quarantine``), one per
metric, keyed like the rows they stand for; every other item loads and the run
completes. Token, permission and quota errors still fail the run at once.

On a full refresh, earlier captures of the current-value streams found in
``history_dir`` are imported first (``extractors.common.history``): one file per
stream, ``ig_account_snapshots.jsonl`` and ``fb_page_snapshots.jsonl`` (the account
and the Page as their field requests return them, plus ``captured_at``) and
``ig_stories.jsonl`` (story objects as ``/{ig-user-id}/stories`` returns them).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from extractors.common.batch import Batch
from extractors.common.history import captured_at, import_file
from extractors.common.http import MalformedPageError, SourceError
from extractors.common.streams import Listing, Stream, write_record
from extractors.meta import models
from extractors.meta.client import (
    GraphClient,
    GraphCursorPaginator,
    InvalidMetricError,
    ItemUnavailableError,
    response_json,
)
from extractors.meta.config import RETIRED_METRICS, MetricSpec

if TYPE_CHECKING:
    from extractors.meta import MetaConfig

log = logging.getLogger(__name__)

META_DAY_TZ = dt.timezone(dt.timedelta(hours=-7))  # Meta's daily values end at midnight UTC-07:00


class MetaStream(Stream):
    source: ClassVar[str] = "meta"
    fields: ClassVar[str] = ""


class IgAccountSnapshotsStream(MetaStream):
    name = "ig_account_snapshots"
    path = "/{ig_user_id}"
    primary_key = ("account_id", "snapshot_date")
    schema = models.IgAccountSnapshot
    fields = "id,username,followers_count,follows_count,media_count"


class IgMediaStream(MetaStream):
    name = "ig_media"
    path = "/{ig_user_id}/media"
    primary_key = ("id",)
    replication_key = "timestamp"
    schema = models.IgMedia
    fields = "id,caption,media_type,media_product_type,timestamp,permalink,like_count,comments_count"


class IgStoriesStream(MetaStream):
    name = "ig_stories"
    path = "/{ig_user_id}/stories"
    primary_key = ("id",)
    replication_key = "timestamp"
    schema = models.IgMedia
    fields = "id,media_type,media_product_type,timestamp,permalink"


class IgMediaInsightsStream(MetaStream):
    name = "ig_media_insights"
    path = "/{media_id}/insights"
    primary_key = ("media_id", "metric")
    schema = models.MediaInsight


class IgUserInsightsStream(MetaStream):
    name = "ig_user_insights"
    path = "/{ig_user_id}/insights"
    primary_key = ("account_id", "metric", "metric_type", "period", "end_time")
    schema = models.AccountInsight


class FbPageSnapshotsStream(MetaStream):
    name = "fb_page_snapshots"
    path = "/{page_id}"
    primary_key = ("page_id", "snapshot_date")
    schema = models.PageSnapshot
    fields = "id,name,followers_count,fan_count"


class FbPostsStream(MetaStream):
    name = "fb_posts"
    path = "/{page_id}/published_posts"
    primary_key = ("id",)
    replication_key = "created_time"
    schema = models.FbPost
    fields = "id,created_time,message,permalink_url,status_type"


class FbPostInsightsStream(MetaStream):
    name = "fb_post_insights"
    path = "/{post_id}/insights"
    primary_key = ("post_id", "metric")
    schema = models.PostInsight


class FbPageInsightsStream(MetaStream):
    name = "fb_page_insights"
    path = "/{page_id}/insights"
    primary_key = ("page_id", "metric", "period", "end_time")
    schema = models.PageInsight


INSTAGRAM_STREAMS = (
    IgAccountSnapshotsStream,
    IgMediaStream,
    IgStoriesStream,
    IgMediaInsightsStream,
    IgUserInsightsStream,
)
FACEBOOK_STREAMS = (FbPageSnapshotsStream, FbPostsStream, FbPostInsightsStream, FbPageInsightsStream)
STREAMS = INSTAGRAM_STREAMS + FACEBOOK_STREAMS
RECONCILED = (IgMediaStream, FbPostsStream)  # a full refresh deletes what these no longer return
ITEM_NOUNS = {"ig_media": "media", "post": "post"}  # object insights scopes, as the skip reasons name them


def date_header(resp: Any) -> dt.datetime | None:
    value = resp.headers.get("Date")
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def meta_day(end_time: dt.datetime) -> dt.date:
    """The day a daily insights value belongs to (its ``end_time`` is the next midnight, UTC-07:00)."""
    return (end_time.astimezone(META_DAY_TZ) - dt.timedelta(hours=12)).date()


def _unix(d: dt.date | dt.datetime) -> int:
    if isinstance(d, dt.datetime):
        return int(d.timestamp())
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp())


def _parse_ts(value: Any) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def day_windows(start: dt.date, end: dt.date, days: int) -> Iterator[tuple[dt.date, dt.date]]:
    """[start, end) in consecutive windows of at most ``days`` days."""
    lo = start
    while lo < end:
        hi = min(end, lo + dt.timedelta(days=days))
        yield lo, hi
        lo = hi


@dataclass
class MetaRun:
    """One extract: fills ``batch`` with every configured stream."""

    client: GraphClient
    batch: Batch
    config: MetaConfig
    paginator: GraphCursorPaginator
    dropped: dict[tuple[str, str], str] = field(default_factory=dict)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # items whose metrics were skipped, and why
    imported: dict[str, int] = field(default_factory=dict)  # history_dir lines loaded, per stream
    server_now: dt.datetime | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.timezone)

    def run(self, since: dt.datetime | None, until: dt.datetime | None, full_refresh: bool) -> None:
        cfg = self.config
        for stream in STREAMS:  # every table exists after the first load, even when empty
            if (stream in INSTAGRAM_STREAMS and cfg.ig_user_id) or (stream in FACEBOOK_STREAMS and cfg.page_id):
                self.batch.stream(stream.name, stream.spec(), full_refresh and stream in RECONCILED)
        # 0. on a full refresh, earlier captures from history_dir (before this run's, which win a shared day)
        if full_refresh and cfg.history_dir:
            self.import_history(Path(cfg.history_dir))
        # 1. what only exists now: follower counts and the last 24 hours of stories
        if cfg.ig_user_id:
            self.capture(IgAccountSnapshotsStream, "account_id", cfg.ig_user_id)
            self.stories()
        if cfg.page_id:
            self.capture(FbPageSnapshotsStream, "page_id", cfg.page_id)
        now = self.server_now or dt.datetime.now(dt.UTC)
        end = min(until, now) if until else now
        read_from = None if full_refresh or since is None else since - cfg.lookback
        history = read_from or (
            dt.datetime.combine(cfg.history_start, dt.time(), dt.UTC)
            if cfg.history_start
            else end - dt.timedelta(days=730)
        )
        self.batch.window.update(
            {
                "server_now": now.isoformat(),
                "read_from": read_from.isoformat() if read_from else None,
                "insights_from": history.isoformat(),
                "insights_until": end.isoformat(),
            }
        )
        # 2. what the API keeps: media/posts and their lifetime insights, daily insights
        if cfg.ig_user_id:
            media = self.list_edge(IgMediaStream, cfg.ig_user_id, read_from, end if read_from else None)
            for m in media:
                if m.media_product_type in cfg.media_insights_product_types:
                    self.object_insights("ig_media", IgMediaInsightsStream, "media_id", m.id, cfg.ig_media_metrics)
            self.account_insights(
                "ig_user", IgUserInsightsStream, "account_id", cfg.ig_user_id, cfg.ig_user_metrics, history, end
            )
        if cfg.page_id:
            posts = self.list_edge(FbPostsStream, cfg.page_id, read_from, end if read_from else None)
            for p in posts:
                self.object_insights("post", FbPostInsightsStream, "post_id", p.id, cfg.post_metrics)
            self.account_insights(
                "page",
                FbPageInsightsStream,
                "page_id",
                cfg.page_id,
                [MetricSpec(m) for m in cfg.page_metrics],
                history,
                end,
            )
        self.batch.window["dropped_metrics"] = [
            {"scope": s, "metric": m, "error": e} for (s, m), e in self.dropped.items()
        ]
        self.batch.window["skipped_items"] = self.skipped
        self.batch.window["imported"] = self.imported
        self.batch.window["max_usage_pct"] = self.client.max_usage_pct
        self.batch.requests = self.client.request_count

    # ------------------------------------------------------------ current values

    def capture(self, stream: type[MetaStream], key: str, object_id: str) -> None:
        path = stream.path.format(ig_user_id=object_id, page_id=object_id)
        params = {"fields": stream.fields}
        request = f"GET {path}?{urlencode(params)}"
        resp = self.client.get(path, params)
        body = response_json(resp, request, 1)
        if not isinstance(body, dict) or "id" not in body:
            raise MalformedPageError(f"meta: {request}: the answer is not the object")
        captured = date_header(resp) or dt.datetime.now(dt.UTC)
        if self.server_now is None:
            self.server_now = captured
        self.write_snapshot(stream, key, object_id, body, captured, request)

    def write_snapshot(
        self,
        stream: type[MetaStream],
        key: str,
        object_id: str,
        obj: dict[str, Any],
        captured: dt.datetime,
        request: str,
    ) -> None:
        record = {
            key: object_id,
            "snapshot_date": captured.astimezone(self.tz).date().isoformat(),
            "captured_at": captured.isoformat(),
            **{k: v for k, v in obj.items() if k != "captured_at"},
        }
        model = write_record(self.batch, stream, record, request)
        res = self.batch.streams[stream.name]
        res.pages += 1
        if model is not None and (res.watermark is None or captured.isoformat() > res.watermark):
            res.watermark = captured.isoformat()

    def stories(self) -> None:
        path = IgStoriesStream.path.format(ig_user_id=self.config.ig_user_id)
        params = {"fields": IgStoriesStream.fields}
        res = self.batch.streams[IgStoriesStream.name]
        for page in self.paginator.pages(self.client, path, params):
            res.pages += 1
            for record in page.records:
                self.write_story(record, page.request)

    def write_story(self, record: Any, request: str) -> None:
        res = self.batch.streams[IgStoriesStream.name]
        model = write_record(self.batch, IgStoriesStream, record, request)
        if model is not None and (res.watermark is None or model.timestamp.isoformat() > res.watermark):
            res.watermark = model.timestamp.isoformat()

    def import_history(self, folder: Path) -> None:
        """Earlier captures from ``history_dir`` (see the module's docstring); a missing file is skipped."""
        cfg = self.config
        if not folder.is_dir():
            raise SourceError(
                f"meta: history_dir {folder} does not exist (the folder of earlier captures to "
                "import on a full refresh)"
            )
        targets: list[tuple[type[MetaStream], str, str]] = []
        if cfg.ig_user_id:
            targets += [
                (IgAccountSnapshotsStream, "account_id", cfg.ig_user_id),
                (IgStoriesStream, "account_id", cfg.ig_user_id),
            ]
        if cfg.page_id:
            targets.append((FbPageSnapshotsStream, "page_id", cfg.page_id))
        for stream, key, object_id in targets:
            path = folder / f"{stream.name}.jsonl"
            if not path.is_file():
                continue
            out = self.batch.stream(stream.name, stream.spec())
            accept = functools.partial(self._import_line, stream, key, object_id)
            self.imported[stream.name] = import_file(out, path, f"meta.{stream.name}", accept)
            log.info("meta.%s: %d earlier captures imported from %s", stream.name, self.imported[stream.name], path)

    def _import_line(
        self, stream: type[MetaStream], key: str, object_id: str, obj: dict[str, Any], request: str
    ) -> str | None:
        """One ``history_dir`` line written to its stream, or why not."""
        if stream is IgStoriesStream:
            self.write_story(obj, request)
            return None
        at, problem = captured_at(obj)
        if problem is None and str(obj.get("id")) != object_id:
            problem = f"the capture of another object (id {obj.get('id')}), not {object_id}"
        if problem is None and at is not None:
            self.write_snapshot(stream, key, object_id, obj, at, request)
        return problem

    # ---------------------------------------------------------------- list edges

    def list_edge(
        self, stream: type[MetaStream], object_id: str, since: dt.datetime | None, until: dt.datetime | None
    ) -> list[Any]:
        path = stream.path.format(ig_user_id=object_id, page_id=object_id)
        params: dict[str, Any] = {"fields": stream.fields}
        if since is not None:
            params["since"] = _unix(since)
        if until is not None:
            params["until"] = _unix(until) + 1
        res = self.batch.streams[stream.name]
        out = []
        listing = Listing()
        for page in self.paginator.pages(self.client, path, params, listing):
            res.pages += 1
            for record in page.records:
                model = write_record(self.batch, stream, record, page.request, res.full_refresh)
                if model is None:
                    continue
                out.append(model)
                ts = getattr(model, stream.replication_key or "")
                if res.watermark is None or ts.isoformat() > res.watermark:
                    res.watermark = ts.isoformat()
        listing.attest(self.batch.stream(stream.name, stream.spec()))
        return out

    # ------------------------------------------------------------------ insights

    def insights(
        self, scope: str, stream: type[MetaStream], path: str, metrics: list[str], params: dict[str, Any]
    ) -> list[tuple[dict, str]]:
        """``(data entry, request)`` for every metric still allowed in ``scope``.

        Meta fails the whole request when one metric is invalid, without naming it:
        on that answer each metric is asked alone, the rejected ones are dropped for
        the rest of the run (and reported), the others are kept.
        """
        live = [m for m in metrics if (scope, m) not in self.dropped]
        if not live:
            return []
        try:
            return self._insights_call(path, live, params)
        except InvalidMetricError as exc:
            if len(live) == 1:
                self.drop(scope, stream, live[0], exc)
                return []
            log.warning("meta.%s: %s rejected one of %s: asking for each alone", stream.name, exc.request, live)
        out: list[tuple[dict, str]] = []
        for m in live:
            try:
                out += self._insights_call(path, [m], params)
            except InvalidMetricError as exc:
                self.drop(scope, stream, m, exc)
        return out

    def _insights_call(self, path: str, metrics: list[str], params: dict[str, Any]) -> list[tuple[dict, str]]:
        q = {**params, "metric": ",".join(metrics)}
        request = f"GET {path}?{urlencode(q)}"
        try:
            body = response_json(self.client.get(path, q), request, 1)
        except (InvalidMetricError, ItemUnavailableError) as exc:
            exc.request = request
            raise
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise MalformedPageError(f"meta: {request}: insights answer has no 'data' list")
        # paging.next of insights points to the following window: never followed
        return [(entry, request) for entry in data if isinstance(entry, dict)]

    def drop(self, scope: str, stream: type[MetaStream], metric: str, exc: InvalidMetricError) -> None:
        self.dropped[(scope, metric)] = exc.api_message
        reason = (
            f"metric dropped for this run: the Graph API answered {exc.api_message!r}; the other metrics "
            f"were loaded. Remove or replace it in the connection extra '{scope}_metrics'"
        )
        if metric in RETIRED_METRICS:
            when, instead = RETIRED_METRICS[metric]
            reason += f" (retired {when}; use {instead})"
        out = self.batch.stream(stream.name, stream.spec())
        out.reject(
            f"metric={metric}", reason, {"metric": metric, "scope": scope, "error": exc.api_message}, exc.request
        )
        log.error("meta.%s: METRIC DROPPED: %s: %s", stream.name, metric, reason)

    def skip_item(
        self,
        scope: str,
        stream: type[MetaStream],
        key: str,
        object_id: str,
        metrics: list[str],
        exc: ItemUnavailableError,
    ) -> None:
        """Record why one item's metrics are missing: one rejection per metric, keyed like its row."""
        code = f"{exc.code}/{exc.subcode}" if exc.subcode is not None else str(exc.code)
        reason = (
            f"{exc.meaning} (Graph API code {code}: {exc.api_message!r}"
            + (f", {exc.user_title!r}" if exc.user_title else "")
            + f"); this {ITEM_NOUNS.get(scope, scope)}'s metrics are skipped for this run, the other "
            "items loaded"
        )
        out = self.batch.stream(stream.name, stream.spec())
        live = [m for m in metrics if (scope, m) not in self.dropped] or list(metrics)
        for metric in live:
            record = {key: object_id, "metric": metric, "error": exc.error()}
            out.reject(stream.describe(record), reason, record, exc.request)
        self.skipped.append(
            {
                "stream": stream.name,
                "key": f"{key}={object_id}",
                "code": exc.code,
                "error_subcode": exc.subcode,
                "reason": exc.meaning,
            }
        )
        log.warning("meta.%s: %s=%s skipped: %s (fbtrace_id %s)", stream.name, key, object_id, reason, exc.fbtrace_id)

    def object_insights(
        self, scope: str, stream: type[MetaStream], key: str, object_id: str, metrics: tuple[str, ...] | list[str]
    ) -> None:
        path = stream.path.format(media_id=object_id, post_id=object_id)
        res = self.batch.streams[stream.name]
        try:
            entries = self.insights(scope, stream, path, list(metrics), {})
        except ItemUnavailableError as exc:  # about this object only: skip it, keep going
            self.skip_item(scope, stream, key, object_id, list(metrics), exc)
            return
        if entries:
            res.pages += 1
        for entry, request in entries:
            values = entry.get("values")
            value = entry.get("total_value", {}).get("value") if isinstance(entry.get("total_value"), dict) else None
            if isinstance(values, list) and values and isinstance(values[-1], dict):
                value = values[-1].get("value")
            record = {
                key: object_id,
                "metric": entry.get("name"),
                "period": entry.get("period") or "lifetime",
                "value": value,
                "title": entry.get("title"),
                "graph_id": entry.get("id"),
            }
            write_record(self.batch, stream, record, request)

    def account_insights(
        self,
        scope: str,
        stream: type[MetaStream],
        key: str,
        object_id: str,
        metrics: list[MetricSpec],
        start: dt.datetime,
        end: dt.datetime,
    ) -> None:
        path = stream.path.format(ig_user_id=object_id, page_id=object_id)
        res = self.batch.streams[stream.name]
        first = start.astimezone(dt.UTC).date()
        last = end.astimezone(dt.UTC).date() + dt.timedelta(days=1 if end.astimezone(dt.UTC).time() > dt.time() else 0)
        groups: dict[tuple[str, str], list[str]] = {}
        for spec in metrics:
            groups.setdefault((spec.metric_type, spec.period), []).append(spec.name)
        for (metric_type, period), names in groups.items():
            window = 1 if metric_type == "total_value" else self.config.insights_window_days
            for lo, hi in day_windows(first, last, window):
                params: dict[str, Any] = {"period": period, "since": _unix(lo), "until": _unix(hi)}
                if metric_type == "total_value":
                    params["metric_type"] = "total_value"
                entries = self.insights(scope, stream, path, names, params)
                res.pages += 1
                for entry, request in entries:
                    for record in _account_rows(key, object_id, entry, metric_type, period, lo, hi):
                        write_record(self.batch, stream, record, request)


def _account_rows(
    key: str, object_id: str, entry: dict, metric_type: str, period: str, lo: dt.date, hi: dt.date
) -> Iterator[dict[str, Any]]:
    base = {
        key: object_id,
        "metric": entry.get("name"),
        "period": entry.get("period") or period,
        "title": entry.get("title"),
        "graph_id": entry.get("id"),
    }
    if metric_type == "total_value":
        total = entry.get("total_value")
        end_time = dt.datetime(hi.year, hi.month, hi.day, tzinfo=dt.UTC)
        yield {
            **base,
            "metric_type": "total_value",
            "end_time": end_time.isoformat(),
            "metric_date": lo.isoformat(),
            "value": total.get("value") if isinstance(total, dict) else None,
            "breakdowns": total.get("breakdowns") if isinstance(total, dict) else None,
        }
        return
    for v in entry.get("values") or []:
        end_time = _parse_ts(v.get("end_time")) if isinstance(v, dict) else None
        record = {
            **base,
            "metric_type": "time_series",
            "end_time": v.get("end_time") if isinstance(v, dict) else None,
            "metric_date": meta_day(end_time).isoformat() if end_time else None,
            "value": v.get("value") if isinstance(v, dict) else None,
        }
        yield record
