"""A deterministic local stand-in for the X API v2 (app-only Bearer token), serving
the X part of ``simulators.scenario.social``, plus the X analytics CSV export.

    with XStandIn(seed=2023, bearer_token="token") as srv:
        requests.get(f"{srv.base_url}/users/by/username/DitjenPK",
                     params={"user.fields": "public_metrics"},
                     headers={"Authorization": "Bearer token"})

What it speaks, as the real API does:

* ``GET /2/users/by/username/:username`` (``user.fields=public_metrics,...``):
  ``{"data": {"id", "name", "username", "public_metrics": {followers_count,
  following_count, tweet_count, listed_count}}}``; an unknown name answers 200 with
  an ``errors`` list (resource-not-found);
* ``GET /2/users/:id/tweets``: newest first, only the latest 3,200 posts,
  ``start_time``/``end_time`` (RFC 3339), ``since_id``/``until_id``,
  ``exclude=retweets,replies``, ``max_results`` 5-100 (default 10),
  ``tweet.fields``; paged with ``pagination_token`` = the previous page's
  ``meta.next_token`` until no ``next_token`` is returned; an empty page is
  ``{"meta": {"result_count": 0}}``;
* Bearer auth (``Authorization: Bearer <token>``): anything else answers 401;
* rate limits per endpoint on 15-minute windows: ``x-rate-limit-limit``,
  ``x-rate-limit-remaining``, ``x-rate-limit-reset`` (Unix seconds) on every answer;
  over the limit, 429 until the reset;
* when injected (``tweet_errors=`` or ``faults.tweet_error``), partial errors beside
  ``data``, in X's problem format: ``not_found`` (resource-not-found) and
  ``not_authorized`` (not-authorized-for-resource) leave the post out of ``data``;
  ``field`` (not-authorized-for-field) serves it without ``public_metrics``; and
  ``faults.usage_cap()``: 429 ``UsageCapExceeded`` (problem type usage-capped).

Stand-in only: the server pretends "now" is ``now`` (default: the last second of
the scenario's last local day) and a request may carry ``as_of=<ISO or Unix time>``
to be answered as of an earlier instant (the follower count of that day). The
``Date`` header is that effective "now".

``write_capture_history(folder)`` writes the follower snapshot a daily capture at
the end of every past day would have read, as the extractor's ``history_dir``
imports it (``user_snapshots.jsonl``).

``write_analytics_exports(folder)`` drops the X analytics "account overview" CSV
exports (one row per day: Date, Impressions, ..., Profile visits, ...) the way
the social media team downloads them from analytics.x.com: one file per month,
plus an earlier partial export of the last month that the full one supersedes.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from simulators.common.cli import parse_id_kinds
from simulators.common.http import (
    Faults as BaseFaults,
    HttpError,
    StandInServer,
    format_http_date,
    json_bytes as _json_bytes,
    last_param as _param,
)
from simulators.scenario.social import (
    X_FOLLOWING,
    X_LISTED,
    X_NAME,
    X_TWEETS_BEFORE,
    X_USER_ID,
    X_USERNAME,
    SocialWorld,
    end_of_local_day,
    followers_at,
    generate_social_world,
    local_day,
)
from simulators.scenario.world import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, UTC, month_days

API_PREFIX = "/2"
TIMELINE_CAP = 3200
WINDOW_SECONDS = 15 * 60
# Requests per 15-minute window (app-only token). Users lookup: 300 per app in
# the docs; the stand-in allows 900 (the per-user figure).
DEFAULT_LIMITS = {"users_by_username": 900, "user_tweets": 1500}
TWEET_FIELDS = {
    "id",
    "text",
    "created_at",
    "author_id",
    "conversation_id",
    "lang",
    "public_metrics",
    "referenced_tweets",
    "in_reply_to_user_id",
    "edit_history_tweet_ids",
}
USER_FIELDS = {"id", "name", "username", "public_metrics", "created_at", "description", "verified", "location", "url"}
EXPORT_COLUMNS = [
    "Date",
    "Impressions",
    "Likes",
    "Engagements",
    "Bookmarks",
    "Shares",
    "New follows",
    "Unfollows",
    "Replies",
    "Reposts",
    "Profile visits",
    "Create Post",
    "Video views",
    "Media views",
]
EXPORT_PREFIX = "account_overview_analytics"
TWEET_ERROR_KINDS = ("not_found", "not_authorized", "field")
PROBLEMS = "https://api.twitter.com/2/problems/"
HISTORY_USER_FIELDS = "public_metrics,created_at"  # what the extractor asks for


class XError(HttpError):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(status, body.get("detail") or body.get("title"), headers)
        self.status, self.body = status, body

    def payload(self) -> dict[str, Any]:
        return self.body


def _problem(
    status: int, title: str, detail: str, type_: str = "about:blank", headers: dict[str, str] | None = None
) -> XError:
    return XError(status, {"title": title, "detail": detail, "type": type_, "status": status}, headers)


def _invalid(message: str, parameter: str, value: str) -> XError:
    return XError(
        400,
        {
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )


def tweet_error(kind: str, tweet_id: str) -> dict[str, Any]:
    """A partial error about one post, as X puts it beside ``data`` (``TWEET_ERROR_KINDS``)."""
    base = {"value": tweet_id, "resource_type": "tweet", "parameter": "id", "resource_id": tweet_id, "section": "data"}
    if kind == "not_found":
        return {
            **base,
            "title": "Not Found Error",
            "detail": f"Could not find tweet with id: [{tweet_id}].",
            "type": PROBLEMS + "resource-not-found",
        }
    if kind == "not_authorized":
        return {
            **base,
            "title": "Authorization Error",
            "detail": f"Sorry, you are not authorized to see the Tweet with id: [{tweet_id}].",
            "type": PROBLEMS + "not-authorized-for-resource",
        }
    if kind == "field":
        return {
            **base,
            "title": "Field Authorization Error",
            "field": "public_metrics",
            "detail": f"Sorry, you are not authorized to access 'public_metrics' on the Tweet with id: [{tweet_id}].",
            "type": PROBLEMS + "not-authorized-for-field",
        }
    raise ValueError(f"unknown tweet error {kind!r} (one of {', '.join(TWEET_ERROR_KINDS)})")


def parse_tweet_errors(specs: list[str]) -> dict[str, str]:
    """``["<tweet id>=<kind>", ...]`` (the command line's ``--tweet-error``) as a map."""
    return parse_id_kinds(specs, "--tweet-error", "tweet id", TWEET_ERROR_KINDS)


class Faults(BaseFaults):
    """Injected behaviour for the next authenticated requests (in this order): a
    pending timeout sleeps and the request goes on; a pending usage cap answers 429
    ``UsageCapExceeded``; a pending rate limit answers 429 with
    ``x-rate-limit-reset`` = now + ``reset_in``; a pending server error answers
    503; a pending exhaustion answers normally with ``x-rate-limit-remaining: 0``; a
    matching malformed page answers 200 with a broken body. Tweet errors
    (``tweet_error``) apply to every timeline page that holds the post."""

    KINDS = ("invalid_json", "no_meta", "html")

    def _clear(self) -> None:
        self._exhaust: list[int] = []
        self._usage_cap = 0
        self._tweets: dict[str, str] = {}

    def tweet_error(self, tweet_id: str, kind: str = "not_found") -> None:
        """Timeline pages that hold post ``tweet_id`` carry a partial error about it (``TWEET_ERROR_KINDS``)."""
        tweet_error(kind, tweet_id)  # unknown kinds fail here
        with self._lock:
            self._tweets[tweet_id] = kind

    def usage_cap(self, n: int = 1) -> None:
        """The next ``n`` requests answer 429 ``UsageCapExceeded`` (the project's monthly cap)."""
        with self._lock:
            self._usage_cap = n

    def _tweet_errors(self) -> dict[str, str]:
        with self._lock:
            return dict(self._tweets)

    def rate_limit(self, n: int = 1, reset_in: int = 7) -> None:  # type: ignore[override]
        """The next ``n`` requests (more, if some are pending) answer 429 until now + ``reset_in`` seconds."""
        with self._lock:
            self._rate.extend([reset_in] * n)

    def exhaust(self, reset_in: int = 5) -> None:
        with self._lock:
            self._exhaust.append(reset_in)

    def malformed_page(self, page: int = 2, n: int | None = None, kind: str = "invalid_json") -> None:
        """Page ``page`` (1-based) of ``/users/:id/tweets`` answers 200 with a broken body."""
        self._add_malformed(kind, n, page=page)

    def _take_first(self) -> tuple[str, Any] | None:  # type: ignore[override]
        if self._usage_cap > 0:
            self._usage_cap -= 1
            return "usage_cap", None
        return None

    def _take_last(self) -> tuple[str, Any] | None:  # type: ignore[override]
        return ("exhaust", self._exhaust.pop(0)) if self._exhaust else None


def parse_time(value: str, name: str) -> datetime:
    v = value.strip()
    try:
        if re.fullmatch(r"\d+(\.\d+)?", v):
            return datetime.fromtimestamp(float(v), UTC)
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(
            f"Invalid '{name}':'{value}'. '{name}' must be a valid RFC 3339 date-time", name, value
        ) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _token(tweet_id: str) -> str:
    return base64.b32encode(f"t:{tweet_id}".encode()).decode().rstrip("=").lower()


def _untoken(token: str) -> str:
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode()
    except (ValueError, UnicodeDecodeError):
        raw = ""
    if not raw.startswith("t:"):
        raise _invalid("The `pagination_token` query parameter value is not valid", "pagination_token", token)
    return raw[2:]


class XStandIn(StandInServer):
    """Local X API v2 stand-in on 127.0.0.1 (port 0 = any free port)."""

    server_version = "XStandIn/1.0"
    server_python_version = False
    api_prefix = API_PREFIX
    thread_name = "x-standin"

    def __init__(
        self,
        seed: int = DEFAULT_SEED,
        bearer_token: str = "secret-bearer",
        start: str | date = DEFAULT_START,
        end: str | date = DEFAULT_END,
        now: str | datetime | None = None,
        limits: dict[str, int] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
        tweet_errors: dict[str, str] | None = None,
    ) -> None:
        """``tweet_errors``: ``{tweet id: kind}``, posts the timeline always answers a partial
        error about (see ``TWEET_ERROR_KINDS``); ``faults.tweet_error`` adds more."""
        super().__init__(host, port, verbose)
        for tweet_id, kind in (tweet_errors or {}).items():
            tweet_error(kind, tweet_id)  # unknown kinds fail at construction
        self.tweet_errors = dict(tweet_errors or {})
        self.seed = seed
        self.bearer_token = bearer_token
        self.world: SocialWorld = generate_social_world(seed, start, end)
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.faults = Faults()
        self._windows: dict[str, tuple[float, int]] = {}  # endpoint -> (window start, calls)
        self._now = parse_time(now, "now") if isinstance(now, str) else (now or self.world.default_now)

    user_id = X_USER_ID
    username = X_USERNAME

    @property
    def now(self) -> datetime:
        return self._now

    def set_now(self, value: str | datetime | None) -> None:
        with self._lock:
            self._now = (parse_time(value, "now") if isinstance(value, str) else value) or self.world.default_now

    def reset_rate_limits(self) -> None:
        with self._lock:
            self._windows.clear()

    def http_date(self) -> str:
        return format_http_date(self.now)

    # ----------------------------------------------------------------- requests

    def handle(self, method: str, raw_path: str, headers: Any, raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query, keep_blank_values=True)
        path = parts.path
        if not path.startswith(API_PREFIX + "/"):
            raise _problem(404, "Not Found Error", f"Could not find the route {path}")
        rel = path[len(API_PREFIX) :]
        auth = (headers.get("Authorization") or "").strip()
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or token.strip() != self.bearer_token:
            raise _problem(401, "Unauthorized", "Unauthorized")
        m_user = re.fullmatch(r"/users/by/username/([A-Za-z0-9_]{1,15})", rel)
        m_tweets = re.fullmatch(r"/users/(\d+)/tweets", rel)
        if not (m_user or m_tweets):
            raise _problem(404, "Not Found Error", f"Could not find the route {path}")
        endpoint = "users_by_username" if m_user else "user_tweets"
        now = self._effective_now(query)
        action = self.take_faults()
        rl = self._rate_headers(endpoint)
        if action is not None:
            kind, arg = action
            if kind == "usage_cap":
                raise XError(
                    429,
                    {
                        "account_id": "1719230112",
                        "product_name": "standard-basic",
                        "title": "UsageCapExceeded",
                        "period": "Monthly",
                        "scope": "Product",
                        "detail": "Usage cap exceeded: Monthly product cap",
                        "type": PROBLEMS + "usage-capped",
                    },
                    rl,
                )
            if kind == "rate_limit":
                raise _problem(
                    429,
                    "Too Many Requests",
                    "Too Many Requests",
                    headers={
                        "x-rate-limit-limit": str(self.limits[endpoint]),
                        "x-rate-limit-remaining": "0",
                        "x-rate-limit-reset": str(int(time.time()) + arg),
                    },
                )
            if kind == "server_error":
                raise _problem(503, "Service Unavailable", "Service Unavailable", headers=rl)
            if kind == "exhaust":
                rl = {**rl, "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(time.time()) + arg)}
        if rl.pop("_over", None):
            raise XError(
                429,
                {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
                rl,
            )
        if m_user:
            body = self._user(m_user.group(1), query, now)
        else:
            body = self._tweets(m_tweets.group(1), query, now)
            if isinstance(body, tuple):
                broken, extra = body
                return 200, broken, {"Date": format_http_date(now), **rl, **extra}
        return 200, _json_bytes(body), {"Date": format_http_date(now), **rl}

    def internal_error(self, exc: Exception) -> HttpError:
        return _problem(500, "Internal Error", f"stand-in error: {exc!r}")

    def _effective_now(self, query: dict[str, list[str]]) -> datetime:
        as_of = _param(query, "as_of")
        return self._now if as_of is None else min(parse_time(as_of, "as_of"), self._now)

    def _rate_headers(self, endpoint: str) -> dict[str, str]:
        limit = self.limits[endpoint]
        with self._lock:
            t = time.time()
            start, calls = self._windows.get(endpoint, (t, 0))
            if t >= start + WINDOW_SECONDS:
                start, calls = t, 0
            calls += 1
            self._windows[endpoint] = (start, calls)
        out = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - calls)),
            "x-rate-limit-reset": str(int(start + WINDOW_SECONDS)),
        }
        if calls > limit:
            out["_over"] = "1"
        return out

    @staticmethod
    def _fields(query: dict[str, list[str]], name: str, valid: set[str]) -> list[str]:
        raw = _param(query, name)
        fields = [f.strip() for f in (raw or "").split(",") if f.strip()]
        bad = [f for f in fields if f not in valid]
        if bad:
            raise _invalid(
                f"The `{name}` query parameter value [{bad[0]}] is not one of [{','.join(sorted(valid))}]",
                name,
                raw or "",
            )
        return fields

    def _user(self, username: str, query: dict[str, list[str]], now: datetime) -> dict[str, Any]:
        fields = self._fields(query, "user.fields", USER_FIELDS)
        if username.lower() != X_USERNAME.lower():
            return {
                "errors": [
                    {
                        "value": username,
                        "detail": f"Could not find user with username: [{username}].",
                        "title": "Not Found Error",
                        "resource_type": "user",
                        "parameter": "username",
                        "resource_id": username,
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ]
            }
        posted = sum(1 for t in self.world.x_tweets if t["_at"] <= now)
        full = {
            "id": X_USER_ID,
            "name": X_NAME,
            "username": X_USERNAME,
            "created_at": "2013-10-04T03:12:45.000Z",
            "description": "Akun resmi Direktorat Jenderal Perimbangan Keuangan, Kementerian Keuangan RI.",
            "location": "Jakarta, Indonesia",
            "url": "https://t.co/djpk",
            "verified": False,
            "public_metrics": {
                "followers_count": followers_at(self.world.x_followers, now),
                "following_count": X_FOLLOWING,
                "tweet_count": X_TWEETS_BEFORE + posted,
                "listed_count": X_LISTED,
                "like_count": 1480 + posted // 3,
            },
        }
        return {"data": {k: v for k, v in full.items() if k in ("id", "name", "username") or k in fields}}

    def _tweets(self, user_id: str, query: dict[str, list[str]], now: datetime) -> Any:
        if user_id != X_USER_ID:
            return {"meta": {"result_count": 0}}
        fields = self._fields(query, "tweet.fields", TWEET_FIELDS)
        raw_max = _param(query, "max_results")
        try:
            max_results = int(raw_max) if raw_max else 10
        except ValueError:
            raise _invalid(
                "The `max_results` query parameter value is not valid", "max_results", raw_max or ""
            ) from None
        if not 5 <= max_results <= 100:
            raise _invalid(
                f"The `max_results` query parameter value [{max_results}] is not between 5 and 100",
                "max_results",
                str(max_results),
            )
        timeline = sorted(
            (t for t in self.world.x_tweets if t["_at"] <= now), key=lambda t: int(t["id"]), reverse=True
        )[:TIMELINE_CAP]
        start_time, end_time = _param(query, "start_time"), _param(query, "end_time")
        if start_time:
            lo = parse_time(start_time, "start_time")
            timeline = [t for t in timeline if t["_at"] >= lo]
        if end_time:
            hi = parse_time(end_time, "end_time")
            timeline = [t for t in timeline if t["_at"] < hi]
        if _param(query, "since_id"):
            timeline = [t for t in timeline if int(t["id"]) > int(_param(query, "since_id") or 0)]
        if _param(query, "until_id"):
            timeline = [t for t in timeline if int(t["id"]) < int(_param(query, "until_id") or 0)]
        exclude = {e.strip() for e in (_param(query, "exclude") or "").split(",") if e.strip()}
        if "replies" in exclude:
            timeline = [t for t in timeline if t["_kind"] != "reply"]
        if "retweets" in exclude:
            timeline = [t for t in timeline if t["_kind"] != "repost"]
        offset = 0
        token = _param(query, "pagination_token")
        if token:
            last = _untoken(token)
            ids = [t["id"] for t in timeline]
            offset = ids.index(last) + 1 if last in ids else len(timeline)
        page_no = offset // max_results + 1
        malformed = self.faults.take_malformed(page=page_no)
        if malformed:
            if malformed == "no_meta":
                return _json_bytes({"data": []}), {}
            if malformed == "html":
                return b"<html><body>Something went wrong</body></html>", {"Content-Type": "text/html"}
            return b'{"data": [{"id": "17", "text": "Transfer ke', {}
        chunk = timeline[offset : offset + max_results]
        if not chunk:
            return {"meta": {"result_count": 0}}
        keep = {"id", "text", "edit_history_tweet_ids"} | set(fields)
        failing = {**self.tweet_errors, **self.faults._tweet_errors()}
        data, errors = [], []
        for t in chunk:
            kind = failing.get(t["id"])
            if kind is not None:
                errors.append(tweet_error(kind, t["id"]))
                if kind != "field":
                    continue
            data.append({k: v for k, v in t.items() if k in keep and not (kind == "field" and k == "public_metrics")})
        meta: dict[str, Any] = {"result_count": len(data), "newest_id": chunk[0]["id"], "oldest_id": chunk[-1]["id"]}
        if offset + max_results < len(timeline):
            meta["next_token"] = _token(chunk[-1]["id"])
        if offset > 0:
            meta["previous_token"] = _token(chunk[0]["id"]) + "p"
        body: dict[str, Any] = {"data": data, "meta": meta} if data else {"meta": meta}
        if errors:
            body["errors"] = errors
        return body

    # ------------------------------------------------------------------ history

    def capture_history(self, since: date | None = None, until: date | None = None) -> list[dict[str, Any]]:
        """The user object a daily capture at the end of every local day from ``since``
        (default: the scenario's first day) to ``until`` (exclusive; default: the day of
        "now") would have read, plus ``captured_at``. Answered by the lookup's own code."""
        first = since or self.world.first_day
        last = until or local_day(self._now)
        out = []
        day = first
        while day < last:
            at = end_of_local_day(day)
            body = self._user(X_USERNAME, {"user.fields": [HISTORY_USER_FIELDS]}, at)
            out.append({**body["data"], "captured_at": at.isoformat()})
            day += timedelta(days=1)
        return out

    def write_capture_history(self, folder: str | Path, since: date | None = None, until: date | None = None) -> int:
        """``capture_history`` as ``user_snapshots.jsonl`` in ``folder`` (the extractor's
        ``history_dir``); returns the lines written."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        lines = self.capture_history(since, until)
        with open(folder / "user_snapshots.jsonl", "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        return len(lines)

    # ------------------------------------------------------------- CSV exports

    def write_analytics_exports(self, folder: str | Path, until: datetime | None = None) -> list[Path]:
        """Drop the analytics CSV exports up to ``until`` (default ``now``) into ``folder``."""
        return write_analytics_exports(self.world, folder, until or self._now)


def _export_date(d: date) -> str:
    return f"{d:%a}, {d:%b} {d.day}, {d.year}"


def write_analytics_exports(world: SocialWorld, folder: str | Path, until: datetime) -> list[Path]:
    """One CSV per month (newest day first), each stamped with the time it was
    exported (the day after the month, 09:00 local); the last month also gets an
    earlier partial export, whose last day is incomplete and superseded."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{EXPORT_PREFIX}_*.csv"):
        old.unlink()
    written = []

    def write(days: list[date], exported_at: datetime, partial_last: bool = False) -> None:
        name = f"{EXPORT_PREFIX}_{days[0]:%Y%m%d}_{days[-1]:%Y%m%d}.csv"
        if partial_last:
            name = name.replace(".csv", f"_exported_{exported_at:%Y%m%dT%H%M}.csv")
        path = folder / name
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(EXPORT_COLUMNS)
            for d in sorted(days, reverse=True):
                row = dict(world.x_daily[d])
                if partial_last and d == days[-1]:
                    row = {k: v // 3 if isinstance(v, int) else v for k, v in row.items()}
                w.writerow([_export_date(d)] + [row.get(c, 0) for c in EXPORT_COLUMNS[1:]])
        os.utime(path, (exported_at.timestamp(), exported_at.timestamp()))
        written.append(path)

    for month in world.months:
        days = [d for d in month_days(month) if end_of_local_day(d) <= until or d == until.date()]
        days = [d for d in days if d in world.x_daily]
        if not days:
            continue
        exported = end_of_local_day(days[-1]) + timedelta(hours=9, seconds=1)
        if month == world.months[-1] and len(days) > 15:
            write(days[:15], end_of_local_day(days[14]) - timedelta(hours=8), partial_last=True)
        write(days, exported)
    return written
