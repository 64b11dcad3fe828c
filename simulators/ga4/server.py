"""A deterministic local stand-in for the Google Analytics 4 Data API (v1beta).

Serves the GA4 part of the simulated world (``simulators.scenario.website``) the
way ``analyticsdata.googleapis.com`` answers ``runReport``:

    POST /v1beta/properties/{property_id}:runReport     Authorization: Bearer <token>

Request body: ``dateRanges`` (one range; ``YYYY-MM-DD``, ``today``, ``yesterday``,
``NdaysAgo``), ``dimensions`` (``date``, ``yearMonth``, ``pageTitle``,
``pagePath``), ``metrics`` (``activeUsers``, ``totalUsers``, ``sessions``,
``screenPageViews``), ``orderBys``, ``limit`` (default 10000, at most 250000)
and ``offset``. Response: ``dimensionHeaders``, ``metricHeaders`` (``TYPE_INTEGER``),
``rows`` of ``dimensionValues``/``metricValues`` whose values are STRINGS, ``rowCount``
(the total, for paging), ``metadata`` (``currencyCode``, ``timeZone``,
``dataLossFromOtherRow``), ``kind``. As in proto3 JSON, ``rows`` and ``rowCount``
are absent when the report is empty. Errors use Google's envelope
``{"error": {"code", "message", "status"}}``: 401 ``UNAUTHENTICATED``, 403
``PERMISSION_DENIED`` (another property), 400 ``INVALID_ARGUMENT``, 429
``RESOURCE_EXHAUSTED`` (quota). Injected on request: one report refused with a 400
(``report_errors=`` or ``faults.report_error``: the reports whose date range
starts on that day) and the property's daily quota used up
(``faults.quota_exhausted``: 429 "Exhausted property tokens per day").

Users are not additive. A one-month date range answers the month's exact unique
users; one day answers that day's; other ranges interpolate between the two (a
stand-in model, documented in docs/sources/ga4.md). Page reports with more rows
than ``other_after`` fold the least viewed into one ``(other)`` row, as GA4 does
for high-cardinality reports.

``POST /token`` is a minimal OAuth 2.0 token endpoint for the service-account
JWT-bearer grant (RS256 assertion signed with the key whose public half the
stand-in was given), so the service-account auth path is exercised too.

    with Ga4StandIn(seed=2023, token="secret") as srv:
        srv.base_url          # http://127.0.0.1:<port>/v1beta
        srv.faults.rate_limit(n=2)
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from simulators.common.http import Faults as BaseFaults, HttpError, StandInServer
from simulators.scenario.website import PROPERTY_ID, Ga4World, generate_ga4_world
from simulators.scenario.world import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, parse_date

API_PREFIX = "/v1beta"
DIMENSIONS = ("date", "yearMonth", "pageTitle", "pagePath")
METRICS = ("activeUsers", "totalUsers", "sessions", "screenPageViews")
PAGE_DIMENSIONS = ("pageTitle", "pagePath")
DEFAULT_LIMIT = 10_000
MAX_LIMIT = 250_000
OTHER_AFTER = 30  # page reports keep this many rows, the rest become "(other)"
SCOPE = "https://www.googleapis.com/auth/analytics.readonly"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_REPORT_PATH = re.compile(r"^/v1beta/properties/([^/:]+):runReport$")
_DAYS_AGO = re.compile(r"^(\d+)daysAgo$")
REPORT_ERROR_STATUSES = ("INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE")


class ApiError(HttpError):
    ascii_json = True

    def __init__(self, code: int, status: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(code, message, headers)
        self.code, self.status = code, status

    def payload(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}

    body = payload


# ------------------------------------------------------------------------ faults


class Faults(BaseFaults):
    """Injected failures for the next ``runReport`` requests (token requests are spared).

    Per request, in this order: a pending timeout sleeps and the request goes on;
    the property's exhausted daily quota answers 429; a matching report error
    answers 400; a pending rate limit answers 429 ``RESOURCE_EXHAUSTED`` (with
    ``Retry-After`` only when asked: Google usually sends none); a pending server
    error answers 500 ``INTERNAL``; a matching malformed page answers 200 with a
    broken body.
    """

    KINDS = ("invalid_json", "no_row_count", "short_row", "bad_value", "html")

    def _clear(self) -> None:
        self._quota_day = 0
        self._reports: list[dict[str, Any]] = []

    def quota_exhausted(self, n: int = 1) -> None:
        """The next ``n`` reports answer 429 ``RESOURCE_EXHAUSTED``: the property's tokens per day are used up."""
        with self._lock:
            self._quota_day = n

    def report_error(
        self,
        start_date: str,
        dimension: str | None = None,
        status: str = "INVALID_ARGUMENT",
        message: str | None = None,
        n: int | None = None,
    ) -> None:
        """Reports whose date range starts on ``start_date`` (and, if given, whose first
        dimension is ``dimension``; "" = no dimension) answer 400 ``status``: every time, or ``n`` times."""
        with self._lock:
            self._reports.append(
                {
                    "start": start_date,
                    "dimension": dimension,
                    "status": status,
                    "message": message or report_error_message(status, start_date),
                    "left": n,
                }
            )

    def rate_limit(self, n: int = 1, retry_after: int | None = None) -> None:
        super().rate_limit(n, retry_after)

    def malformed_page(
        self, offset: int = 0, n: int | None = 1, kind: str = "invalid_json", dimension: str | None = None
    ) -> None:
        """Reports asked at ``offset`` (and, if given, with ``dimension``) answer a broken 200."""
        self._add_malformed(kind, n, offset=offset, dimension=dimension)

    def _take_first(
        self,
        offset: int,
        dimensions: list[str],  # type: ignore[override]
        start_date: str | None,
    ) -> tuple[str, Any] | None:
        if self._quota_day > 0:
            self._quota_day -= 1
            return "quota_day", None
        for r in self._reports:
            if (
                r["start"] == start_date
                and (r["dimension"] is None or r["dimension"] == (dimensions[:1] or [""])[0])
                and (r["left"] is None or r["left"] > 0)
            ):
                if r["left"] is not None:
                    r["left"] -= 1
                return "report_error", (r["status"], r["message"])
        return None

    def _take_last(
        self,
        offset: int,
        dimensions: list[str],  # type: ignore[override]
        start_date: str | None,
    ) -> tuple[str, Any] | None:
        kind = self._pop_malformed(
            lambda m: m["offset"] == offset and (m["dimension"] is None or m["dimension"] in dimensions)
        )
        return None if kind is None else ("malformed", kind)


def report_error_message(status: str, start_date: str) -> str:
    return f"The report for the date range starting {start_date} cannot be served (stand-in fault, {status})."


def parse_report_errors(specs: list[str]) -> dict[str, str]:
    """``["<start date>=<STATUS>", ...]`` (the command line's ``--report-error``) as a map."""
    out = {}
    for spec in specs:
        day, sep, status = spec.partition("=")
        status = status or "INVALID_ARGUMENT"
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day.strip()) or status not in REPORT_ERROR_STATUSES:
            raise ValueError(f"--report-error {spec!r}: expected <YYYY-MM-DD>[=<{'|'.join(REPORT_ERROR_STATUSES)}>]")
        out[day.strip()] = status
    return out


# ------------------------------------------------------------------ the reports


@dataclass
class _Part:
    """The days of one month that a date range covers."""

    month: str
    days: list[date]
    n_days: int  # days in the month


def _parts(world: Ga4World, start: date, end: date) -> list[_Part]:
    parts: dict[str, _Part] = {}
    d = start
    while d <= end:
        m = world.month(d.strftime("%Y-%m"))
        if m is not None:
            part = parts.setdefault(m.month, _Part(m.month, [], len(m.days)))
            part.days.append(d)
        d += timedelta(days=1)
    return list(parts.values())


def _users(world: Ga4World, part: _Part, metric: str) -> int:
    """Unique users of some days of one month: exact for the month and for one day."""
    mt = world.months[part.month]
    attr = "active_users" if metric == "activeUsers" else "total_users"
    daily = [getattr(mt.days[d.day - 1], attr) for d in part.days]
    k, n = len(daily), part.n_days
    if k == n:
        return getattr(mt, attr)
    if k == 1:
        return daily[0]
    ratio_month = sum(getattr(x, attr) for x in mt.days) / getattr(mt, attr)
    ratio = 1 + (ratio_month - 1) * (k - 1) / (n - 1)
    return round(sum(daily) / ratio)


def _range_users(world: Ga4World, parts: list[_Part], metric: str) -> int:
    total = sum(_users(world, p, metric) for p in parts)
    # people come back across months too
    return round(total * (1 - 0.04 * (len(parts) - 1))) if len(parts) > 1 else total


def _additive(world: Ga4World, parts: list[_Part], metric: str) -> int:
    attr = {"sessions": "sessions", "screenPageViews": "page_views"}[metric]
    return sum(getattr(world.months[p.month].days[d.day - 1], attr) for p in parts for d in p.days)


def build_rows(
    world: Ga4World, start: date, end: date, dimensions: list[str], metrics: list[str], other_after: int = OTHER_AFTER
) -> tuple[list[tuple[list[str], list[int]]], bool]:
    """Every row of a report, unordered: ([dimension values], [metric values]); and whether "(other)" was used."""
    parts = _parts(world, start, end)
    if not parts:
        return [], False
    page_dims = [d for d in dimensions if d in PAGE_DIMENSIONS]
    if page_dims and any(d not in PAGE_DIMENSIONS for d in dimensions):
        raise ApiError(400, "INVALID_ARGUMENT", "stand-in: page dimensions cannot be combined with date dimensions")
    if page_dims:
        return _page_rows(world, parts, dimensions, metrics, other_after)
    if "date" in dimensions and "yearMonth" in dimensions:
        raise ApiError(400, "INVALID_ARGUMENT", "stand-in: use either date or yearMonth")
    groups: list[tuple[list[str], list[_Part]]]
    if "date" in dimensions:
        groups = [([d.strftime("%Y%m%d")], [_Part(p.month, [d], p.n_days)]) for p in parts for d in p.days]
    elif "yearMonth" in dimensions:
        groups = [([p.month.replace("-", "")], [p]) for p in parts]
    else:
        groups = [([], parts)]
    rows = []
    for values, ps in groups:
        mv = [
            _range_users(world, ps, m) if m in ("activeUsers", "totalUsers") else _additive(world, ps, m)
            for m in metrics
        ]
        rows.append((values, mv))
    return rows, False


def _page_rows(
    world: Ga4World, parts: list[_Part], dimensions: list[str], metrics: list[str], other_after: int
) -> tuple[list[tuple[list[str], list[int]]], bool]:
    acc: dict[tuple[str, ...], dict[str, float]] = {}
    for p in parts:
        share = len(p.days) / p.n_days
        for page in world.months[p.month].pages:
            if page.views == 0:
                continue
            key = tuple(page.title if d == "pageTitle" else page.path for d in dimensions)
            a = acc.setdefault(key, {"views": 0.0, "users": 0.0, "n": 0})
            a["views"] += page.views * share
            a["users"] += page.users * share
            a["n"] += 1
    rows = []
    for key, a in acc.items():
        views = round(a["views"])
        users = round(a["users"] * (0.95 if a["n"] > 1 else 1.0))
        values = {
            "screenPageViews": views,
            "sessions": round(views / 2.3),
            "activeUsers": users,
            "totalUsers": users + users // 60,
        }
        rows.append((list(key), [values[m] for m in metrics]))
    other = False
    if len(rows) > other_after:
        rows.sort(key=lambda r: (-r[1][metrics.index("screenPageViews")] if "screenPageViews" in metrics else 0, r[0]))
        kept, folded = rows[: other_after - 1], rows[other_after - 1 :]
        merged = [sum(r[1][i] for r in folded) for i in range(len(metrics))]
        rows = kept + [(["(other)"] * len(dimensions), merged)]
        other = True
    return rows, other


def _sort(
    rows: list[tuple[list[str], list[int]]], order_bys: list[dict], dimensions: list[str], metrics: list[str]
) -> list[tuple[list[str], list[int]]]:
    """GA4 ``orderBys``; ties (and requests without any) fall back to the dimension values."""
    rows = sorted(rows, key=lambda r: r[0])
    if not order_bys and "date" not in dimensions and metrics:
        order_bys = [{"metric": {"metricName": metrics[0]}, "desc": True}]
    for ob in reversed(order_bys):
        desc = bool(ob.get("desc", False))
        if "metric" in ob:
            name = (ob["metric"] or {}).get("metricName")
            if name not in metrics:
                raise ApiError(400, "INVALID_ARGUMENT", f"orderBys metric {name!r} is not in the request's metrics")
            i = metrics.index(name)
            rows.sort(key=lambda r: r[1][i], reverse=desc)
        elif "dimension" in ob:
            name = (ob["dimension"] or {}).get("dimensionName")
            if name not in dimensions:
                raise ApiError(
                    400, "INVALID_ARGUMENT", f"orderBys dimension {name!r} is not in the request's dimensions"
                )
            i = dimensions.index(name)
            rows.sort(key=lambda r: r[0][i], reverse=desc)
        else:
            raise ApiError(400, "INVALID_ARGUMENT", "orderBys entries need 'metric' or 'dimension'")
    return rows


class Ga4StandIn(StandInServer):
    """The GA4 Data API over HTTP on 127.0.0.1 (a free port unless ``port`` is given).

    ``token``: the static bearer token it accepts. ``service_account``: optional
    ``{"client_email": ..., "public_key_pem": ...}`` for ``POST /token``.
    ``as_of``: the stand-in's "today" (property time zone); data after it does not exist yet.
    """

    server_version = "Ga4StandIn/1.0"
    methods = ("GET", "POST")
    content_type = "application/json; charset=UTF-8"
    api_prefix = API_PREFIX
    thread_name = "ga4-standin"

    def __init__(
        self,
        seed: int = DEFAULT_SEED,
        token: str = "",
        property_id: str = PROPERTY_ID,
        start: str = DEFAULT_START,
        end: str = DEFAULT_END,
        as_of: str | date | None = None,
        service_account: dict[str, str] | None = None,
        other_after: int = OTHER_AFTER,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
        report_errors: dict[str, str] | None = None,
    ) -> None:
        """``report_errors``: ``{start date: status}``, reports whose date range starts that day
        always answer 400 with that status (``REPORT_ERROR_STATUSES``); ``faults`` can add more."""
        if not token and not service_account:
            raise ValueError("ga4 stand-in: give a token or a service account")
        super().__init__(host, port, verbose)
        self.seed, self.property_id = seed, property_id
        self.world = generate_ga4_world(seed, str(parse_date(start)), str(parse_date(end)), property_id)
        self.as_of = parse_date(as_of) if as_of else parse_date(end) + timedelta(days=14)
        self.other_after = other_after
        self.service_account = service_account
        self.faults = Faults()
        for _day, status in (report_errors or {}).items():
            if status not in REPORT_ERROR_STATUSES:
                raise ValueError(f"ga4 stand-in: report error status must be one of {REPORT_ERROR_STATUSES}")
        self.report_errors = dict(report_errors or {})
        self._tokens = {token} if token else set()

    # ---------------------------------------------------------------- control

    @property
    def token_uri(self) -> str:
        return self.root_url + "/token"

    def log_entry(self, method: str, path: str, status: int, raw: bytes) -> tuple[str, str, int, Any]:
        """(method, path, status, the JSON request body of API requests or None)."""
        try:
            body = json.loads(raw) if raw and path.startswith(API_PREFIX) else None
        except ValueError:
            body = None
        return method, path, status, body

    # --------------------------------------------------------------- requests

    def handle(self, method: str, raw_path: str, headers: Any, raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        path = urlsplit(raw_path).path
        if path == "/token":
            if method != "POST":
                raise ApiError(405, "INVALID_ARGUMENT", "POST only")
            return self._token(raw)
        m = _REPORT_PATH.match(path)
        if m is None:
            raise ApiError(404, "NOT_FOUND", f"Method not found: {path}")
        if method != "POST":
            raise ApiError(405, "INVALID_ARGUMENT", "runReport is POST only")
        self._authenticate(headers)
        if m.group(1) != self.property_id:
            raise ApiError(
                403,
                "PERMISSION_DENIED",
                "User does not have sufficient permissions for this property. "
                "To learn more about Property ID, see https://developers.google.com/analytics/"
                "devguides/reporting/data/v1/property-id.",
            )
        try:
            req = json.loads(raw or b"{}")
        except ValueError:
            raise ApiError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.") from None
        if not isinstance(req, dict):
            raise ApiError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        dimensions = [d.get("name") for d in req.get("dimensions") or []]
        metrics = [x.get("name") for x in req.get("metrics") or []]
        offset = _int(req.get("offset", 0), "offset")
        ranges = req.get("dateRanges") if isinstance(req.get("dateRanges"), list) else []
        start_date = ranges[0].get("startDate") if ranges and isinstance(ranges[0], dict) else None
        action = self.take_faults(offset=offset, dimensions=dimensions, start_date=start_date)
        if action is None and start_date in self.report_errors:
            action = (
                "report_error",
                (self.report_errors[start_date], report_error_message(self.report_errors[start_date], start_date)),
            )
        if action is not None:
            kind, arg = action
            if kind == "quota_day":
                raise ApiError(
                    429,
                    "RESOURCE_EXHAUSTED",
                    "Exhausted property tokens per day quota. This property has used all tokens "
                    "allowed per day. Quota resets at midnight Pacific time.",
                )
            if kind == "report_error":
                raise ApiError(400, arg[0], arg[1])
            if kind == "rate_limit":
                raise ApiError(
                    429,
                    "RESOURCE_EXHAUSTED",
                    "Exhausted property tokens per hour quota. This property has used all tokens allowed per hour.",
                    {"Retry-After": str(arg)} if arg is not None else {},
                )
            if kind == "server_error":
                raise ApiError(500, "INTERNAL", "Internal error encountered.")
        body = self._report(req, dimensions, metrics, offset)
        if action is not None:
            return 200, *_malformed(body, action[1])
        return 200, json.dumps(body, ensure_ascii=False).encode(), {}

    def internal_error(self, exc: Exception) -> HttpError:
        return ApiError(500, "INTERNAL", f"stand-in error: {exc!r}")

    def _authenticate(self, headers: Any) -> None:
        auth = (headers.get("Authorization") or "").strip()
        scheme, _, token = auth.partition(" ")
        with self._lock:
            ok = scheme.lower() == "bearer" and token.strip() in self._tokens
        if not ok:
            raise ApiError(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.",
            )

    def _report(self, req: dict[str, Any], dimensions: list[str], metrics: list[str], offset: int) -> dict[str, Any]:
        for d in dimensions:
            if d not in DIMENSIONS:
                raise ApiError(400, "INVALID_ARGUMENT", f"Field {d} is not a valid dimension.")
        for x in metrics:
            if x not in METRICS:
                raise ApiError(400, "INVALID_ARGUMENT", f"Field {x} is not a valid metric.")
        if not metrics and not dimensions:
            raise ApiError(400, "INVALID_ARGUMENT", "Request must have at least one dimension or metric.")
        ranges = req.get("dateRanges") or []
        if len(ranges) != 1:
            raise ApiError(400, "INVALID_ARGUMENT", "stand-in: exactly one dateRange is supported")
        start = self._date(ranges[0].get("startDate"))
        end = self._date(ranges[0].get("endDate"))
        if end < start:
            raise ApiError(400, "INVALID_ARGUMENT", "The dateRange's startDate is after its endDate.")
        limit = _int(req.get("limit", DEFAULT_LIMIT), "limit")
        if limit <= 0 or offset < 0:
            raise ApiError(400, "INVALID_ARGUMENT", "limit must be positive and offset not negative")
        limit = min(limit, MAX_LIMIT)
        end = min(end, self.as_of)  # nothing is known about days after "today"
        rows, other = build_rows(self.world, start, end, dimensions, metrics, self.other_after)
        rows = _sort(rows, req.get("orderBys") or [], dimensions, metrics)
        body: dict[str, Any] = {
            "dimensionHeaders": [{"name": d} for d in dimensions],
            "metricHeaders": [{"name": x, "type": "TYPE_INTEGER"} for x in metrics],
        }
        page = rows[offset : offset + limit]
        if page:
            body["rows"] = [
                {"dimensionValues": [{"value": v} for v in dv], "metricValues": [{"value": str(v)} for v in mv]}
                for dv, mv in page
            ]
        if rows:
            body["rowCount"] = len(rows)
        meta: dict[str, Any] = {"currencyCode": "IDR", "timeZone": self.world.time_zone}
        if other:
            meta["dataLossFromOtherRow"] = True
        body["metadata"] = meta
        body["kind"] = "analyticsData#runReport"
        return body

    def _date(self, value: Any) -> date:
        if not isinstance(value, str) or not value:
            raise ApiError(400, "INVALID_ARGUMENT", "dateRanges need startDate and endDate")
        if value == "today":
            return self.as_of
        if value == "yesterday":
            return self.as_of - timedelta(days=1)
        m = _DAYS_AGO.match(value)
        if m:
            return self.as_of - timedelta(days=int(m.group(1)))
        try:
            return date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else _bad_date(value)
        except ValueError:
            return _bad_date(value)

    # ------------------------------------------------------------ OAuth token

    def _token(self, raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        if not self.service_account:
            raise ApiError(404, "NOT_FOUND", "no service account configured")
        form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}

        def fail(desc: str) -> tuple[int, bytes, dict[str, str]]:
            return 400, json.dumps({"error": "invalid_grant", "error_description": desc}).encode(), {}

        if form.get("grant_type") != JWT_BEARER:
            return 400, json.dumps({"error": "unsupported_grant_type"}).encode(), {}
        import jwt

        try:
            claims = jwt.decode(
                form.get("assertion", ""),
                self.service_account["public_key_pem"],
                algorithms=["RS256"],
                audience=self.token_uri,
                options={"require": ["iss", "aud", "iat", "exp"]},
            )
        except jwt.PyJWTError as exc:
            return fail(f"Invalid JWT: {type(exc).__name__}")
        if claims.get("iss") != self.service_account["client_email"]:
            return fail("Invalid JWT: unknown issuer")
        if SCOPE not in str(claims.get("scope", "")).split():
            return fail("Invalid JWT: the analytics.readonly scope is missing")
        token = "ya29.standin-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
        return 200, json.dumps({"access_token": token, "expires_in": 3599, "token_type": "Bearer"}).encode(), {}


def _bad_date(value: str) -> date:
    raise ApiError(400, "INVALID_ARGUMENT", f"Invalid date '{value}'. Use YYYY-MM-DD, today, yesterday or NdaysAgo.")


def _int(value: Any, name: str) -> int:
    try:
        return int(value)  # the API takes int64 as a JSON number or a string
    except (TypeError, ValueError):
        raise ApiError(400, "INVALID_ARGUMENT", f"Invalid value for {name}: {value!r}") from None


def _malformed(body: dict[str, Any], kind: str) -> tuple[bytes, dict[str, str]]:
    if kind == "html":
        return (b"<html><body><h1>502 Bad Gateway</h1></body></html>", {"Content-Type": "text/html"})
    if kind == "invalid_json":
        return json.dumps(body).encode()[:120], {}
    body = json.loads(json.dumps(body))
    rows = body.get("rows") or [{"dimensionValues": [], "metricValues": [{"value": "1"}]}]
    if kind == "no_row_count":
        body["rows"] = rows
        body.pop("rowCount", None)
    elif kind == "short_row":
        rows[0]["metricValues"] = rows[0]["metricValues"][:-1]
        body["rows"] = rows
    elif kind == "bad_value":
        rows[0]["metricValues"][0]["value"] = "12.5k"
        body["rows"] = rows
    return json.dumps(body).encode(), {}


def expected_monthly_users(
    seed: int = DEFAULT_SEED, start: str = DEFAULT_START, end: str = DEFAULT_END
) -> dict[str, int]:
    """The exact activeUsers of every month (what a one-month report answers)."""
    return {m: mt.active_users for m, mt in generate_ga4_world(seed, start, end).months.items()}


__all__ = [
    "API_PREFIX",
    "REPORT_ERROR_STATUSES",
    "ApiError",
    "Faults",
    "Ga4StandIn",
    "build_rows",
    "expected_monthly_users",
    "parse_report_errors",
]
