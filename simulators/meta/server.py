"""A deterministic local stand-in for the Meta Graph API (Instagram Graph API with
Facebook Login, and the Pages API), serving ``simulators.scenario.social``.

    with GraphStandIn(seed=2023, access_token="token") as srv:
        requests.get(f"{srv.base_url}/{srv.ig_user_id}",
                     params={"fields": "followers_count", "access_token": "token"})

What it speaks, as the real API does:

* ``GET /{version}/{ig-user-id}?fields=...`` (followers_count, follows_count,
  media_count, ...), ``/{ig-user-id}/media`` (FEED, REELS and AD media, newest
  first; no stories), ``/{ig-user-id}/stories`` (stories of the last 24 hours
  only), ``/{ig-user-id}/insights`` (``reach`` per day or as total_value; ``views``
  only with ``metric_type=total_value``; at most 30 days between since and until),
  ``/{ig-media-id}/insights`` (lifetime ``reach``, ``views``, ...);
* ``GET /{version}/{page-id}?fields=followers_count,fan_count,...``,
  ``/{page-id}/published_posts`` (and ``/posts``), ``/{page-id}/insights``
  (``page_follows``, ``page_media_view``, ``page_total_media_view_unique``, at most
  90 days), ``/{post-id}/insights`` (``post_total_media_view_unique``, ...);
* cursor paging: ``{"data": [...], "paging": {"cursors": {"before", "after"},
  "next": <url with the access token>}}``, ``limit`` (default 25, at most 100),
  ``after``/``before``, ``since``/``until`` (Unix seconds or a date);
* the access token as ``access_token`` query parameter (or ``Authorization:
  Bearer|OAuth <token>``); a bad one answers HTTP 400 with an ``OAuthException``
  code 190;
* unknown or retired metrics (``impressions``, ``page_impressions``,
  ``page_fans``, ``post_impressions``, ...) answer ``(#100) The value must be a valid
  insights metric``, failing the whole request, as Meta does;
* every answer carries ``X-App-Usage`` and ``X-Business-Use-Case-Usage``
  (percentages of an hourly call budget); at 100 % calls answer error code 4
  (app) or 80001/80002 (Page/Instagram business use case) until usage drops;
* errors about one object, as Meta sends them, when injected (``item_errors=`` or
  ``faults.item_error``): ``converted`` = code 100, subcode 2108006 "Media posted
  before business account conversion"; ``not_enough_viewers`` = code 10 "(#10) Not
  enough viewers for the media to show insights"; ``gone`` = code 100, subcode 33;
  and a token that expires mid-run (``faults.token_error``): code 190, subcode 463.

Stand-in only (never sent to or by the real API): the server pretends "now" is
``now`` (default: the last second of the scenario's last local day), and a request
may carry ``as_of=<ISO or Unix time>`` to be answered as of an earlier instant (the
follower counts and the 24-hour story window of that instant). The ``Date`` header
of every response is that effective "now". ``write_capture_history(folder)`` writes
what daily captures would have collected before "now", in the files the
extractor's ``history_dir`` imports (see ``extractors/common/history.py`` and ``extractors/meta/streams.py``).
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections import deque
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

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
    FB_PAGE_ID,
    FB_PAGE_NAME,
    IG_FOLLOWS,
    IG_MEDIA_BEFORE,
    IG_USER_ID,
    IG_USERNAME,
    SocialWorld,
    end_of_local_day,
    followers_at,
    format_graph_ts,
    generate_social_world,
    local_day,
)
from simulators.scenario.world import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, UTC

DEFAULT_VERSION = "v19.0"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
IG_INSIGHTS_MAX_DAYS = 30
PAGE_INSIGHTS_MAX_DAYS = 90
STORY_LIFETIME = timedelta(hours=24)
DEFAULT_HOURLY_BUDGET = 20000  # calls per rolling hour before usage reaches 100 %
META_DAY_END_UTC_HOUR = 7  # Meta's daily periods end at 00:00 UTC-07:00

# Valid metrics. Anything else (retired ones included) answers (#100).
IG_USER_METRICS: dict[str, dict[str, Any]] = {
    "reach": {"total_value_only": False, "title": "Accounts reached"},
    "views": {"total_value_only": True, "title": "Views"},
    "accounts_engaged": {"total_value_only": True, "title": "Accounts engaged"},
    "profile_views": {"total_value_only": True, "title": "Profile views"},
}
IG_MEDIA_METRICS = {
    "reach": "Accounts reached",
    "views": "Views",
    "likes": "Likes",
    "comments": "Comments",
    "saved": "Saved",
    "shares": "Shares",
    "total_interactions": "Interactions",
}
PAGE_METRICS = {
    "page_follows": "Page follows",
    "page_media_view": "Media views",
    "page_total_media_view_unique": "Unique media views",
}
POST_METRICS = {"post_total_media_view_unique": "Unique post media views", "post_media_view": "Post media views"}
INVALID_METRIC = "(#100) The value must be a valid insights metric"
RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
    80002: "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.",
}
_PATH = re.compile(r"^/(v\d+\.\d+)/([A-Za-z0-9_]+)(?:/([a-z_]+))?/?$")
ITEM_ERROR_KINDS = ("converted", "not_enough_viewers", "gone")
# What the extractor asks for, and so what a daily capture would have stored.
CAPTURE_FIELDS = {
    "IGUser": "id,username,followers_count,follows_count,media_count",
    "Page": "id,name,followers_count,fan_count",
    "IGMedia": "id,media_type,media_product_type,timestamp,permalink",
}


class GraphError(HttpError):
    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        type_: str = "OAuthException",
        subcode: int | None = None,
        transient: bool = False,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(status, message, headers)
        self.status, self.code, self.type = status, code, type_
        self.subcode, self.transient = subcode, transient
        self.extra = extra or {}

    def payload(self) -> dict[str, Any]:
        return self.body(_trace_id())

    def body(self, trace: str) -> dict[str, Any]:
        err: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        err.update({k: v for k, v in self.extra.items() if k == "error_data"})
        if self.subcode is not None:
            err["error_subcode"] = self.subcode
        if self.transient:
            err["is_transient"] = True
        elif "is_transient" in self.extra:
            err["is_transient"] = self.extra["is_transient"]
        err.update({k: v for k, v in self.extra.items() if k in ("error_user_title", "error_user_msg")})
        err["fbtrace_id"] = trace
        return {"error": err}


def _trace_id() -> str:
    return base64.urlsafe_b64encode(f"{time.monotonic_ns()}".encode()).decode()[:11]


def item_error(kind: str, node: str) -> GraphError:
    """The error Meta answers for an object whose insights cannot be read (``ITEM_ERROR_KINDS``)."""
    if kind == "converted":
        return GraphError(
            400,
            100,
            "Invalid parameter",
            subcode=2108006,
            extra={
                "error_data": {"blame_field_specs": [[""]]},
                "is_transient": False,
                "error_user_title": "Media posted before business account conversion",
                "error_user_msg": "The media was posted before the most recent time that the user's account was "
                "converted to a business account from a personal account.",
            },
        )
    if kind == "not_enough_viewers":
        return GraphError(
            400, 10, "(#10) Not enough viewers for the media to show insights", extra={"is_transient": False}
        )
    if kind == "gone":
        return GraphError(
            400,
            100,
            f"Unsupported get request. Object with ID '{node}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation.",
            type_="GraphMethodException",
            subcode=33,
        )
    raise ValueError(f"unknown item error {kind!r} (one of {', '.join(ITEM_ERROR_KINDS)})")


def parse_item_errors(specs: list[str]) -> dict[str, str]:
    """``["<object id>=<kind>", ...]`` (the command line's ``--item-error``) as a map."""
    return parse_id_kinds(specs, "--item-error", "object id", ITEM_ERROR_KINDS)


# ------------------------------------------------------------------------ faults


class Faults(BaseFaults):
    """Injected behaviour for the next authenticated requests.

    Per request, in this order: an expired token (``token_error``) answers 190;
    a pending timeout sleeps and the request goes on; a pending rate-limit error
    answers it; a pending server error answers 500; an item error answers the
    insights of that object; a matching malformed page answers 200 with a broken
    body. Forced usage headers replace the computed ones on the next ``n`` responses.
    """

    def _clear(self) -> None:
        self._usage: list[dict[str, Any]] = []
        self._items: dict[str, list[Any]] = {}  # object id -> [kind, answers left or None]
        self._token: list[Any] | None = None  # [successful requests before it expires, answers left or None]

    def item_error(self, node: str, kind: str = "converted", n: int | None = None) -> None:
        """The insights of object ``node`` (a media or post id) answer the error ``kind``
        (``converted``, ``not_enough_viewers``, ``gone``): every time, or the next ``n`` times."""
        item_error(kind, node)  # unknown kinds fail here
        with self._lock:
            self._items[node] = [kind, n]

    def token_error(self, after: int = 0, n: int | None = None) -> None:
        """The token "expires": after ``after`` more authenticated requests, the next ``n``
        (None: all) answer code 190, subcode 463 (session expired), although it is the right one."""
        with self._lock:
            self._token = [after, n]

    def _take_token_error(self) -> bool:
        with self._lock:
            t = self._token
            if t is None:
                return False
            if t[0] > 0:
                t[0] -= 1
                return False
            if t[1] is not None:
                if t[1] <= 0:
                    return False
                t[1] -= 1
            return True

    def _take_item(self, node: str) -> str | None:
        with self._lock:
            entry = self._items.get(node)
            if entry is None or (entry[1] is not None and entry[1] <= 0):
                return None
            if entry[1] is not None:
                entry[1] -= 1
            return entry[0]

    def rate_limit_error(self, code: int = 4, n: int = 1, regain_minutes: int = 0, status: int = 400) -> None:
        """The next ``n`` requests answer Graph error ``code`` (4, 17, 32, 613, 80001, ...)."""
        if code not in RATE_LIMIT_MESSAGES:
            raise ValueError(f"unknown rate-limit code {code}")
        with self._lock:
            self._rate.extend([(code, regain_minutes, status)] * n)

    def rate_limit(
        self,
        n: int = 1,
        code: int = 4,
        regain_minutes: int = 0,  # type: ignore[override]
        status: int = 400,
    ) -> None:
        """The next ``n`` requests answer Graph's rate-limit error ``code`` (``rate_limit_error``, ``n`` first)."""
        self.rate_limit_error(code, n, regain_minutes, status)

    def usage(self, call_count: int, n: int = 1, regain_minutes: int = 0, header: str = "buc") -> None:
        """The next ``n`` responses report ``call_count`` % usage in ``header`` ("app" or "buc")."""
        if header not in ("app", "buc"):
            raise ValueError("header must be 'app' or 'buc'")
        with self._lock:
            self._usage.extend([{"pct": call_count, "regain": regain_minutes, "header": header}] * n)

    def malformed_page(
        self, edge: str = "media", page: int = 2, n: int | None = None, kind: str = "invalid_json"
    ) -> None:
        """Page ``page`` (1-based) of a list ``edge`` (media, stories, published_posts, posts)
        answers 200 with a broken body: "invalid_json", "no_data" or "html"."""
        self._add_malformed(kind, n, edge=edge, page=page)

    def _take_usage(self) -> dict[str, Any] | None:
        with self._lock:
            return self._usage.pop(0) if self._usage else None


def parse_time(value: str, name: str = "time") -> datetime:
    """Unix seconds, an ISO date/time (UTC when naive) or a date, as Graph accepts them."""
    v = value.strip()
    try:
        if re.fullmatch(r"-?\d+(\.\d+)?", v):
            return datetime.fromtimestamp(float(v), UTC)
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise GraphError(400, 100, f"(#100) The parameter {name} is not a valid time: {value!r}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _cursor(item_id: str) -> str:
    return base64.urlsafe_b64encode(f"cursor:{item_id}".encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raw = ""
    if not raw.startswith("cursor:"):
        raise GraphError(400, 100, "(#100) Invalid cursor")
    return raw[len("cursor:") :]


def _meta_day_end(day: date) -> datetime:
    """Graph's ``end_time`` of a daily value: the next day at 07:00 UTC."""
    return datetime(day.year, day.month, day.day, META_DAY_END_UTC_HOUR, tzinfo=UTC) + timedelta(days=1)


class GraphStandIn(StandInServer):
    """Local Meta Graph API stand-in on 127.0.0.1 (port 0 = any free port)."""

    server_version = "GraphStandIn/1.0"
    server_python_version = False
    content_type = "application/json; charset=UTF-8"
    thread_name = "graph-standin"

    def __init__(
        self,
        seed: int = DEFAULT_SEED,
        access_token: str = "secret-token",
        start: str | date = DEFAULT_START,
        end: str | date = DEFAULT_END,
        now: str | datetime | None = None,
        version: str = DEFAULT_VERSION,
        hourly_budget: int = DEFAULT_HOURLY_BUDGET,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
        item_errors: dict[str, str] | None = None,
    ) -> None:
        """``item_errors``: ``{object id: kind}``, objects whose insights always answer an
        error about that object (see ``ITEM_ERROR_KINDS``); ``faults`` can add more."""
        super().__init__(host, port, verbose)
        for node, kind in (item_errors or {}).items():
            item_error(kind, node)  # unknown kinds fail at construction
        self.item_errors = dict(item_errors or {})
        self.seed = seed
        self.access_token = access_token
        self.world: SocialWorld = generate_social_world(seed, start, end)
        self.version = version
        self.api_prefix = "/" + version
        self.hourly_budget = hourly_budget
        self.faults = Faults()
        self._calls: deque[float] = deque()
        self._now = parse_time(now) if isinstance(now, str) else (now or self.world.default_now)
        self._media = {m["id"]: m for m in self.world.ig_media}
        self._stories = {m["id"]: m for m in self.world.ig_stories}
        self._posts = {p["id"]: p for p in self.world.fb_posts}

    # ------------------------------------------------------------------ control

    ig_user_id = IG_USER_ID
    page_id = FB_PAGE_ID

    @property
    def now(self) -> datetime:
        return self._now

    def set_now(self, value: str | datetime | None) -> None:
        with self._lock:
            self._now = (parse_time(value) if isinstance(value, str) else value) or self.world.default_now

    def reset_usage(self) -> None:
        with self._lock:
            self._calls.clear()

    def log_entry(self, method: str, raw_path: str, status: int, raw: bytes) -> tuple[str, str, int]:
        """(method, path and query without the access token, status)."""
        parts = urlsplit(raw_path)
        query = [
            (k, v) for k, vs in parse_qs(parts.query, keep_blank_values=True).items() for v in vs if k != "access_token"
        ]
        return method, parts.path + ("?" + urlencode(query) if query else ""), status

    def http_date(self) -> str:
        return format_http_date(self.now)

    # ----------------------------------------------------------------- requests

    def handle(self, method: str, raw_path: str, headers: Any, raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query, keep_blank_values=True)
        m = _PATH.match(parts.path)
        if m is None:
            raise GraphError(400, 2500, "Unknown path components: " + parts.path)
        version, node, edge = m.groups()
        self._authenticate(query, headers)
        if self.faults._take_token_error():
            raise GraphError(
                400,
                190,
                "Error validating access token: Session has expired on "
                f"{self._now:%A, %d-%b-%y %H:%M:%S} UTC. The current time is "
                f"{self._now:%A, %d-%b-%y %H:%M:%S} UTC.",
                subcode=463,
            )
        now = self._effective_now(query)
        action = self.take_faults()
        kind = "instagram" if node == IG_USER_ID or node in self._media or node in self._stories else "pages"
        business_id = IG_USER_ID if kind == "instagram" else FB_PAGE_ID
        usage_headers, over = self._usage(business_id, kind)
        if action is not None:
            what, arg = action
            if what == "rate_limit":
                code, regain, status = arg
                raise GraphError(
                    status,
                    code,
                    RATE_LIMIT_MESSAGES[code],
                    transient=True,
                    headers=self._usage_headers(business_id, kind, 100, regain, "buc"),
                )
            raise GraphError(
                500,
                2,
                "An unexpected error has occurred. Please retry your request later.",
                transient=True,
                headers=usage_headers,
            )
        if over:
            code = 4 if over == "app" else (80002 if kind == "instagram" else 80001)
            raise GraphError(400, code, RATE_LIMIT_MESSAGES[code], transient=True, headers=usage_headers)
        if edge == "insights" and (node in self._media or node in self._stories or node in self._posts):
            failing = self.faults._take_item(node) or self.item_errors.get(node)
            if failing:
                err = item_error(failing, node)
                err.headers = usage_headers
                raise err
        body = self._route(version, node, edge, query, now, parts.path)
        if isinstance(body, tuple):  # malformed page
            broken, extra = body
            return 200, broken, {"Date": format_http_date(now), **usage_headers, **extra}
        return 200, _json_bytes(body), {"Date": format_http_date(now), **usage_headers}

    def internal_error(self, exc: Exception) -> HttpError:
        return GraphError(500, 1, f"stand-in error: {exc!r}")

    def _authenticate(self, query: dict[str, list[str]], headers: Any) -> None:
        token = _param(query, "access_token")
        if token is None:
            auth = (headers.get("Authorization") or "").strip()
            scheme, _, value = auth.partition(" ")
            if scheme.lower() in ("bearer", "oauth") and value.strip():
                token = value.strip()
        if not token:
            raise GraphError(
                400, 2500, "An active access token must be used to query information about the current user."
            )
        if token != self.access_token:
            raise GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token")

    def _effective_now(self, query: dict[str, list[str]]) -> datetime:
        as_of = _param(query, "as_of")
        if as_of is None:
            return self._now
        return min(parse_time(as_of, "as_of"), self._now)

    def _usage(self, business_id: str, kind: str) -> tuple[dict[str, str], str | None]:
        forced = self.faults._take_usage()
        with self._lock:
            t = time.monotonic()
            while self._calls and self._calls[0] < t - 3600:
                self._calls.popleft()
            self._calls.append(t)
            pct = min(100, len(self._calls) * 100 // max(1, self.hourly_budget))
            regain = 0
            if pct >= 100 and self._calls:
                regain = max(1, int((self._calls[0] + 3600 - t) // 60))
        if forced is not None:
            headers = self._usage_headers(business_id, kind, forced["pct"], forced["regain"], forced["header"])
            return headers, None
        over = "buc" if pct >= 100 else None
        return self._usage_headers(business_id, kind, pct, regain, "both"), over

    @staticmethod
    def _usage_headers(business_id: str, kind: str, pct: int, regain: int, which: str) -> dict[str, str]:
        app_pct = pct if which in ("app", "both") else min(pct, 12)
        buc_pct = pct if which in ("buc", "both") else min(pct, 12)
        app = {"call_count": app_pct, "total_cputime": app_pct // 2, "total_time": app_pct // 2}
        buc = {
            business_id: [
                {
                    "type": kind,
                    "call_count": buc_pct,
                    "total_cputime": buc_pct // 3,
                    "total_time": buc_pct // 2,
                    "estimated_time_to_regain_access": regain,
                }
            ]
        }
        return {
            "X-App-Usage": json.dumps(app, separators=(",", ":")),
            "X-Business-Use-Case-Usage": json.dumps(buc, separators=(",", ":")),
        }

    # ------------------------------------------------------------------ history

    def capture_history(self, since: date | None = None, until: date | None = None) -> dict[str, list[dict]]:
        """What a daily capture at the end of every local day from ``since`` (default: the
        scenario's first day) to ``until`` (exclusive; default: the day of "now") would have
        read: the account and Page as of that instant (plus ``captured_at``), and every story
        of the 24 hours before it. Answered by the same code as the API's own requests."""
        first = since or self.world.first_day
        last = until or local_day(self._now)
        out: dict[str, list[dict]] = {"ig_account_snapshots": [], "fb_page_snapshots": [], "ig_stories": []}
        seen: set[str] = set()
        day = first
        while day < last:
            at = end_of_local_day(day)
            stamp = at.isoformat()
            ig = self._fields("IGUser", self._ig_user(at), {"fields": [CAPTURE_FIELDS["IGUser"]]})
            if ig.get("followers_count") is not None:
                out["ig_account_snapshots"].append({**ig, "captured_at": stamp})
            page = self._fields("Page", self._page(at), {"fields": [CAPTURE_FIELDS["Page"]]})
            if page.get("followers_count") is not None:
                out["fb_page_snapshots"].append({**page, "captured_at": stamp})
            for story in sorted(self.world.ig_stories, key=lambda s: s["_at"]):
                if at - STORY_LIFETIME < story["_at"] <= at and story["id"] not in seen:
                    seen.add(story["id"])
                    out["ig_stories"].append(
                        self._fields("IGMedia", _public(story), {"fields": [CAPTURE_FIELDS["IGMedia"]]})
                    )
            day += timedelta(days=1)
        return out

    def write_capture_history(
        self, folder: str | Path, since: date | None = None, until: date | None = None
    ) -> dict[str, int]:
        """``capture_history`` as the files of the extractor's ``history_dir`` (one JSON
        object per line); returns the lines written per file."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        counts = {}
        for name, lines in self.capture_history(since, until).items():
            with open(folder / f"{name}.jsonl", "w", encoding="utf-8") as fh:
                for line in lines:
                    fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            counts[name] = len(lines)
        return counts

    # ------------------------------------------------------------------ routing

    def _route(
        self, version: str, node: str, edge: str | None, query: dict[str, list[str]], now: datetime, path: str
    ) -> Any:
        if node == IG_USER_ID:
            if edge is None:
                return self._fields("IGUser", self._ig_user(now), query)
            if edge == "media":
                items = [m for m in self.world.ig_media if m["_at"] <= now]
                return self._list("media", items, query, now, path, "timestamp")
            if edge == "stories":
                items = [s for s in self.world.ig_stories if now - STORY_LIFETIME < s["_at"] <= now]
                return self._list("stories", items, query, now, path, "timestamp")
            if edge == "insights":
                return self._ig_user_insights(query, now, path)
        elif node == FB_PAGE_ID:
            if edge is None:
                return self._fields("Page", self._page(now), query)
            if edge in ("published_posts", "posts"):
                items = [p for p in self.world.fb_posts if p["_at"] <= now]
                return self._list(edge, items, query, now, path, "created_time")
            if edge == "insights":
                return self._page_insights(query, now, path)
        elif node in self._media or node in self._stories:
            item = self._media.get(node) or self._stories[node]
            if item["_at"] <= now:
                if edge is None:
                    return self._fields("IGMedia", _public(item), query)
                if edge == "insights":
                    return self._object_insights(node, item, IG_MEDIA_METRICS, query, now)
        elif node in self._posts:
            item = self._posts[node]
            if item["_at"] <= now:
                if edge is None:
                    return self._fields("Post", _public(item), query)
                if edge == "insights":
                    return self._object_insights(node, item, POST_METRICS, query, now)
        raise item_error("gone", node)

    def _ig_user(self, now: datetime) -> dict[str, Any]:
        return {
            "id": IG_USER_ID,
            "username": IG_USERNAME,
            "name": "DJPK Kemenkeu",
            "biography": "Akun resmi Direktorat Jenderal Perimbangan Keuangan, Kementerian Keuangan RI.",
            "website": "https://djpk.kemenkeu.go.id",
            "followers_count": followers_at(self.world.ig_followers, now),
            "follows_count": IG_FOLLOWS,
            "media_count": IG_MEDIA_BEFORE
            + sum(1 for m in self.world.ig_media if m["_at"] <= now and m["media_product_type"] != "AD"),
        }

    def _page(self, now: datetime) -> dict[str, Any]:
        followers = followers_at(self.world.fb_followers, now)
        return {
            "id": FB_PAGE_ID,
            "name": FB_PAGE_NAME,
            "category": "Government organization",
            "link": f"https://www.facebook.com/{FB_PAGE_ID}",
            "followers_count": followers,
            "fan_count": None if followers is None else followers - followers // 40,
        }

    @staticmethod
    def _fields(node_type: str, obj: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
        wanted = [f.strip() for f in (_param(query, "fields") or "id").split(",") if f.strip()]
        for f in wanted:
            if f not in obj and not f.startswith("like_count"):
                raise GraphError(400, 100, f"(#100) Tried accessing nonexisting field ({f}) on node type ({node_type})")
        out = {f: obj[f] for f in wanted if f in obj and obj[f] is not None}
        out.setdefault("id", obj["id"])
        return out

    def _list(
        self,
        edge: str,
        items: list[dict[str, Any]],
        query: dict[str, list[str]],
        now: datetime,
        path: str,
        time_field: str,
    ) -> Any:
        since, until = _param(query, "since"), _param(query, "until")
        if since:
            lo = parse_time(since, "since")
            items = [i for i in items if i["_at"] >= lo]
        if until:
            hi = parse_time(until, "until")
            items = [i for i in items if i["_at"] < hi]
        items = sorted(items, key=lambda i: (i["_at"], i["id"]), reverse=True)  # newest first
        try:
            limit = int(_param(query, "limit") or DEFAULT_LIMIT)
        except ValueError:
            raise GraphError(400, 100, "(#100) The parameter limit must be an integer") from None
        limit = min(max(limit, 1), MAX_LIMIT)
        start = 0
        after = _param(query, "after")
        if after:
            last_id = _uncursor(after)
            ids = [i["id"] for i in items]
            start = ids.index(last_id) + 1 if last_id in ids else len(items)
        page_no = start // limit + 1
        malformed = self.faults.take_malformed(edge=edge, page=page_no)
        if malformed:
            return _malformed_body(malformed)
        chunk = items[start : start + limit]
        node_type = {"media": "IGMedia", "stories": "IGMedia"}.get(edge, "Post")
        data = [self._fields(node_type, _public(i), query) for i in chunk]
        body: dict[str, Any] = {"data": data}
        if chunk:
            paging: dict[str, Any] = {"cursors": {"before": _cursor(chunk[0]["id"]), "after": _cursor(chunk[-1]["id"])}}
            if start + limit < len(items):
                q = {k: v[-1] for k, v in query.items()}
                q["after"] = paging["cursors"]["after"]
                q["limit"] = str(limit)
                paging["next"] = f"http://{self.host}:{self.port}{path}?{urlencode(q)}"
            if start > 0:
                q = {k: v[-1] for k, v in query.items() if k != "after"}
                q["before"] = paging["cursors"]["before"]
                paging["previous"] = f"http://{self.host}:{self.port}{path}?{urlencode(q)}"
            body["paging"] = paging
        return body

    # ----------------------------------------------------------------- insights

    @staticmethod
    def _metrics(query: dict[str, list[str]], valid: Any) -> list[str]:
        raw = _param(query, "metric")
        if not raw:
            raise GraphError(400, 100, "(#100) The parameter metric is required")
        metrics = [m.strip() for m in raw.split(",") if m.strip()]
        if any(m not in valid for m in metrics):
            raise GraphError(400, 100, INVALID_METRIC)
        return metrics

    @staticmethod
    def _window(query: dict[str, list[str]], now: datetime, max_days: int) -> tuple[date, date]:
        since, until = _param(query, "since"), _param(query, "until")
        hi = parse_time(until, "until") if until else now
        lo = parse_time(since, "since") if since else hi - timedelta(days=2)
        if (hi - lo).total_seconds() > max_days * 86400:
            raise GraphError(
                400,
                100,
                f"(#100) There cannot be more than {max_days} days ({max_days * 86400} s) between since and until",
            )
        return lo.astimezone(UTC).date(), hi.astimezone(UTC).date()

    def _paging(self, path: str, query: dict[str, list[str]], lo: date, hi: date) -> dict[str, str]:
        span = hi - lo
        out = {}
        for name, (a, b) in (("previous", (lo - span, lo)), ("next", (hi, hi + span))):
            q = {k: v[-1] for k, v in query.items()}
            q["since"], q["until"] = (
                str(int(datetime(a.year, a.month, a.day, tzinfo=UTC).timestamp())),
                str(int(datetime(b.year, b.month, b.day, tzinfo=UTC).timestamp())),
            )
            out[name] = f"http://{self.host}:{self.port}{path}?{urlencode(q)}"
        return out

    def _days(self, lo: date, hi: date, now: datetime) -> list[date]:
        """Days of [lo, hi) that have begun by ``now`` (local time); later days have no data yet."""
        today = local_day(now)
        out, d = [], lo
        while d < hi and d <= today:
            out.append(d)
            d += timedelta(days=1)
        return out

    def _ig_user_insights(self, query: dict[str, list[str]], now: datetime, path: str) -> dict[str, Any]:
        metrics = self._metrics(query, IG_USER_METRICS)
        metric_type = _param(query, "metric_type") or "time_series"
        period = _param(query, "period") or "day"
        if metric_type == "time_series":
            bad = [m for m in metrics if IG_USER_METRICS[m]["total_value_only"]]
            if bad:
                raise GraphError(
                    400,
                    100,
                    f"(#100) The following metrics ({', '.join(bad)}) should be specified "
                    "with parameter metric_type=total_value",
                )
        lo, hi = self._window(query, now, IG_INSIGHTS_MAX_DAYS)
        days = self._days(lo, hi, now)
        data = []
        for m in metrics:
            entry: dict[str, Any] = {
                "name": m,
                "period": period,
                "title": IG_USER_METRICS[m]["title"],
                "description": f"{IG_USER_METRICS[m]['title']} (stand-in)",
                "id": f"{IG_USER_ID}/insights/{m}/{period}",
            }
            values = [self._ig_day_value(m, d) for d in days]
            if metric_type == "total_value":
                entry["total_value"] = {"value": sum(v for v in values if v is not None)}
            else:
                entry["values"] = [
                    {"value": v, "end_time": format_graph_ts(_meta_day_end(d))}
                    for d, v in zip(days, values, strict=False)
                    if v is not None
                ]
            data.append(entry)
        return {"data": data, "paging": self._paging(path, query, lo, hi)}

    def _ig_day_value(self, metric: str, day: date) -> int | None:
        daily = self.world.ig_daily.get(day)
        if daily is None:
            return None
        if metric in daily:
            return daily[metric]
        return daily["reach"] // {"accounts_engaged": 9, "profile_views": 14}[metric]

    def _page_insights(self, query: dict[str, list[str]], now: datetime, path: str) -> dict[str, Any]:
        metrics = self._metrics(query, PAGE_METRICS)
        period = _param(query, "period") or "day"
        lo, hi = self._window(query, now, PAGE_INSIGHTS_MAX_DAYS)
        days = self._days(lo, hi, now)
        data = []
        for m in metrics:
            values = []
            for d in days:
                v = self.world.fb_followers.get(d) if m == "page_follows" else self.world.fb_daily.get(d, {}).get(m)
                if v is not None:
                    values.append({"value": v, "end_time": format_graph_ts(_meta_day_end(d))})
            data.append(
                {
                    "name": m,
                    "period": period,
                    "values": values,
                    "title": PAGE_METRICS[m],
                    "description": f"{PAGE_METRICS[m]} (stand-in)",
                    "id": f"{FB_PAGE_ID}/insights/{m}/{period}",
                }
            )
        return {"data": data, "paging": self._paging(path, query, lo, hi)}

    def _object_insights(
        self, node: str, item: dict[str, Any], valid: dict[str, str], query: dict[str, list[str]], now: datetime
    ) -> dict[str, Any]:
        metrics = self._metrics(query, valid)
        if item.get("media_product_type") == "STORY" and now - item["_at"] > STORY_LIFETIME:
            return {"data": []}  # story insights expire with the story
        data = []
        for m in metrics:
            if m in ("reach", "post_total_media_view_unique"):
                value = item.get("_reach", 0)
            elif m in ("views", "post_media_view"):
                value = item.get("_views", 0)
            else:
                value = _stable(node, m) % max(1, item.get("_reach", 100) // 10)
            data.append(
                {
                    "name": m,
                    "period": "lifetime",
                    "values": [{"value": value}],
                    "title": valid[m],
                    "description": f"{valid[m]} (stand-in)",
                    "id": f"{node}/insights/{m}/lifetime",
                }
            )
        return {"data": data}


def _stable(*parts: str) -> int:
    import hashlib

    return int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:8], 16)


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def _malformed_body(kind: str) -> tuple[bytes, dict[str, str]]:
    if kind == "no_data":
        return _json_bytes({"paging": {}, "message": "ok"}), {}
    if kind == "html":
        return (
            b"<html><body><h1>Sorry, something went wrong.</h1></body></html>",
            {"Content-Type": "text/html; charset=utf-8"},
        )
    return b'{"data": [{"id": "17900000000000001", "caption": "Transfer ke Dae', {}
