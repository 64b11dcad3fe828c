"""A deterministic local stand-in for the site's CMS, in the WordPress REST API shape.

Serves the CMS part of the simulated world (``simulators.scenario.website``) the
way a WordPress site answers anonymous reads of its REST API:

    GET /wp-json/wp/v2/posts?after=&before=&modified_after=&modified_before=
                             &orderby=date|modified|id|title|slug&order=asc|desc
                             &categories=3,5&per_page=1..100&page=N
    GET /wp-json/wp/v2/posts/{id}
    GET /wp-json/wp/v2/categories?per_page=&page=
    GET /wp-json/wp/v2/categories/{id}

Lists are JSON arrays with the headers ``X-WP-Total`` and ``X-WP-TotalPages`` (and
``Link`` rel=next/prev). Dates: ``date``/``modified`` in site time (Asia/Jakarta),
``date_gmt``/``modified_gmt`` in UTC, both without an offset, as WordPress
writes them. ``after``/``before`` filter on ``date`` and ``modified_after``/
``modified_before`` on ``modified`` (WordPress >= 5.7), strictly, in site time
unless the value carries an offset. Titles carry WordPress's HTML entities
(``&#8211;``, ``&#038;``, ``&#8220;``...). Only published posts are served; drafts
need an authenticated ``status=draft`` request, which anonymous readers get a 400 for.

Errors use WordPress's envelope ``{"code", "message", "data": {"status"}}``: a page
past the last one is 400 ``rest_post_invalid_page_number``; a bad parameter 400
``rest_invalid_param``; a wrong application password 401 ``incorrect_password``.

    with WordPressStandIn(seed=2023) as srv:
        srv.base_url            # http://127.0.0.1:<port>  (the site root; REST under /wp-json)
        srv.faults.malformed_page(page=2, kind="php_notice")
"""

from __future__ import annotations

import base64
import copy
import json
import math
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from simulators.common.http import Faults as BaseFaults, HttpError, StandInServer, int_param
from simulators.scenario.website import CmsWorld, generate_cms_world
from simulators.scenario.world import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, LOCAL_TZ, UTC, parse_date

REST_PREFIX = "/wp-json"
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
POST_ORDERBY = ("date", "modified", "id", "title", "slug")
_ROUTE = re.compile(r"^/wp-json/wp/v2/(posts|categories)(?:/(\d+))?/?$")


class WpError(HttpError):
    ascii_json = True

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(status, message, headers)
        self.status, self.code = status, code

    def payload(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": {"status": self.status}}

    body = payload


class Faults(BaseFaults):
    """Injected failures for the next ``/wp-json/wp/v2/*`` requests.

    In this order: a pending timeout sleeps and the request goes on; a pending rate
    limit answers 429 with ``Retry-After`` (a WAF or the host in front of WordPress);
    a pending server error answers 500 (WordPress's "critical error" page as JSON);
    a matching malformed page answers 200 with a broken body: ``invalid_json``
    (truncated), ``php_notice`` (a PHP warning printed before the JSON, a classic of
    misconfigured sites), ``html`` (a maintenance page), ``object`` (a JSON object
    instead of the list), ``no_total`` (no ``X-WP-TotalPages`` header).
    """

    KINDS = ("invalid_json", "php_notice", "html", "object", "no_total")

    def malformed_page(
        self, resource: str = "posts", page: int = 2, n: int | None = 1, kind: str = "invalid_json"
    ) -> None:
        self._add_malformed(kind, n, resource=resource, page=page)

    def _take_last(self, resource: str, page: int) -> tuple[str, Any] | None:  # type: ignore[override]
        kind = self._pop_malformed(lambda m: m["resource"] == resource and m["page"] == page)
        return None if kind is None else ("malformed", kind)


def _public(post: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in post.items() if not k.startswith("_")}


class WordPressStandIn(StandInServer):
    """A WordPress site's REST API on 127.0.0.1 (a free port unless ``port`` is given).

    ``application_password``: ``(username, password)``. Anonymous reads are allowed,
    as on a public site; a request that sends credentials must send the right ones.
    ``as_of``: the stand-in's "now" (UTC); posts published later do not exist yet.
    ``base_url`` is the site root (the REST API is under ``/wp-json``).
    """

    server_version = "Apache"
    methods = ("GET", "POST")
    content_type = "application/json; charset=UTF-8"
    thread_name = "wordpress-standin"

    def __init__(
        self,
        seed: int = DEFAULT_SEED,
        start: str = DEFAULT_START,
        end: str = DEFAULT_END,
        as_of: str | datetime | None = None,
        application_password: tuple[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        super().__init__(host, port, verbose)
        self.seed = seed
        world: CmsWorld = generate_cms_world(seed, str(parse_date(start)), str(parse_date(end)))
        self.world = world
        self.posts = copy.deepcopy(world.posts)  # mutable: tests edit and trash posts
        self.categories = copy.deepcopy(world.categories)
        self.as_of = _as_of(as_of, end)
        self.application_password = application_password
        self.faults = Faults()

    def edit_post(self, post_id: int, at: datetime, **fields: Any) -> dict[str, Any]:
        """Change a post as an editor would at ``at`` (UTC): fields replaced, ``modified`` bumped."""
        with self._lock:
            post = next(p for p in self.posts if p["id"] == post_id)
            for k, v in fields.items():
                post[k] = {"rendered": v} if k == "title" else v
            at = at.astimezone(UTC)
            post["modified_gmt"] = at.strftime("%Y-%m-%dT%H:%M:%S")
            post["modified"] = at.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M:%S")
            return _public(post)

    def trash_post(self, post_id: int) -> None:
        """Move a post to the trash: the public API stops serving it."""
        with self._lock:
            next(p for p in self.posts if p["id"] == post_id)["status"] = "trash"

    def published(self) -> list[dict[str, Any]]:
        """What anonymous readers can see now, oldest first."""
        with self._lock:
            return [_public(p) for p in self.posts if p["status"] == "publish" and _gmt(p["date_gmt"]) <= self.as_of]

    # --------------------------------------------------------------- requests

    def handle(self, method: str, raw_path: str, headers: Any, raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query, keep_blank_values=True)
        if parts.path.rstrip("/") == REST_PREFIX:
            self._authenticate(headers)
            return (
                200,
                json.dumps(
                    {"name": "DJPK Kemenkeu", "url": self.world.site_url, "namespaces": ["oembed/1.0", "wp/v2"]}
                ).encode(),
                {},
            )
        m = _ROUTE.match(parts.path)
        if m is None:
            raise WpError(404, "rest_no_route", "No route was found matching the URL and request method.")
        if method != "GET":
            raise WpError(401, "rest_cannot_create", "Sorry, you are not allowed to create posts as this user.")
        self._authenticate(headers)
        resource, ident = m.group(1), m.group(2)
        page = _int(query, "page", 1)
        action = self.take_faults(resource=resource, page=page)
        if action is not None and action[0] == "rate_limit":
            raise WpError(429, "too_many_requests", "Too many requests.", {"Retry-After": str(action[1])})
        if action is not None and action[0] == "server_error":
            raise WpError(500, "internal_server_error", "<p>There has been a critical error on this website.</p>")
        if ident is not None:
            return 200, json.dumps(self._one(resource, int(ident)), ensure_ascii=False).encode(), {}
        items = self._posts(query) if resource == "posts" else self._categories(query)
        per_page = _int(query, "per_page", DEFAULT_PER_PAGE)
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise WpError(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        if page < 1:
            raise WpError(400, "rest_invalid_param", "Invalid parameter(s): page")
        total = len(items)
        pages = math.ceil(total / per_page)
        if page > max(pages, 1) or (total == 0 and page > 1):
            raise WpError(
                400,
                "rest_post_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
            )
        data = items[(page - 1) * per_page : page * per_page]
        out_headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages), "Allow": "GET"}
        links = []
        base = f"{self.base_url}{parts.path}"
        if page > 1:
            links.append(
                f'<{base}?{urlencode({**{k: v[-1] for k, v in query.items()}, "page": page - 1})}>; rel="prev"'
            )
        if page < pages:
            links.append(
                f'<{base}?{urlencode({**{k: v[-1] for k, v in query.items()}, "page": page + 1})}>; rel="next"'
            )
        if links:
            out_headers["Link"] = ", ".join(links)
        body = json.dumps(data, ensure_ascii=False).encode()
        if action is not None:
            return 200, *_malformed(body, out_headers, action[1])
        return 200, body, out_headers

    def internal_error(self, exc: Exception) -> HttpError:
        return WpError(500, "standin_error", repr(exc))

    def _authenticate(self, headers: Any) -> None:
        auth = (headers.get("Authorization") or "").strip()
        if not auth:
            return  # public site: anonymous reads
        scheme, _, value = auth.partition(" ")
        try:
            user, _, password = base64.b64decode(value.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            user, password = "", ""
        if scheme.lower() != "basic" or not self.application_password or user != self.application_password[0]:
            raise WpError(401, "invalid_username", "Unknown username. Check again or try your email address.")
        if password.replace(" ", "") != self.application_password[1].replace(" ", ""):
            raise WpError(401, "incorrect_password", "The provided password is an invalid application password.")

    def _one(self, resource: str, ident: int) -> dict[str, Any]:
        if resource == "categories":
            for c in self.categories:
                if c["id"] == ident:
                    return c
            raise WpError(404, "rest_term_invalid", "Term does not exist.")
        for p in self.published():
            if p["id"] == ident:
                return p
        raise WpError(404, "rest_post_invalid_id", "Invalid post ID.")

    def _posts(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        status = (query.get("status") or ["publish"])[-1]
        if status != "publish":
            raise WpError(400, "rest_invalid_param", "Invalid parameter(s): status")
        items = self.published()
        for param, field, after in (
            ("after", "date", True),
            ("before", "date", False),
            ("modified_after", "modified", True),
            ("modified_before", "modified", False),
        ):
            raw = (query.get(param) or [""])[-1]
            if raw:
                bound = _local_bound(raw, param)
                items = [p for p in items if (p[field] > bound if after else p[field] < bound)]
        cats = (query.get("categories") or [""])[-1]
        if cats:
            try:
                wanted = {int(c) for c in cats.split(",") if c}
            except ValueError:
                raise WpError(400, "rest_invalid_param", "Invalid parameter(s): categories") from None
            items = [p for p in items if wanted & set(p["categories"])]
        orderby = (query.get("orderby") or ["date"])[-1]
        order = (query.get("order") or ["desc"])[-1].lower()
        if orderby not in POST_ORDERBY or order not in ("asc", "desc"):
            raise WpError(400, "rest_invalid_param", "Invalid parameter(s): orderby, order")
        key = {
            "date": lambda p: (p["date"], p["id"]),
            "modified": lambda p: (p["modified"], p["id"]),
            "id": lambda p: p["id"],
            "title": lambda p: (p["title"]["rendered"].lower(), p["id"]),
            "slug": lambda p: (p["slug"], p["id"]),
        }[orderby]
        return sorted(items, key=key, reverse=order == "desc")

    def _categories(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        return sorted(self.categories, key=lambda c: (c["name"].lower(), c["id"]))  # WordPress: orderby=name


def _as_of(value: str | datetime | None, end: str) -> datetime:
    if value is None:
        return datetime.combine(parse_date(end) + timedelta(days=14), datetime.min.time(), LOCAL_TZ).astimezone(UTC)
    dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def _gmt(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _local_bound(raw: str, param: str) -> str:
    """A date parameter as a site-local "YYYY-MM-DDTHH:MM:SS" (naive = already site time)."""
    try:
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise WpError(400, "rest_invalid_param", f"Invalid parameter(s): {param}") from None
    if dt.tzinfo is not None:
        dt = dt.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return dt.strftime("%Y-%m-%dT%H:%M:%S")


def _int(query: dict[str, list[str]], name: str, default: int) -> int:
    return int_param(query, name, default, lambda n: WpError(400, "rest_invalid_param", f"Invalid parameter(s): {n}"))


def _malformed(body: bytes, headers: dict[str, str], kind: str) -> tuple[bytes, dict[str, str]]:
    if kind == "invalid_json":
        return body[: max(1, len(body) // 3)], headers
    if kind == "php_notice":
        notice = (
            b"<br />\n<b>Deprecated</b>:  Function create_function() is deprecated in "
            b"<b>/var/www/html/wp-content/plugins/old-widget/widget.php</b> on line <b>12</b><br />\n"
        )
        return notice + body, headers
    if kind == "html":
        return (
            b"<!DOCTYPE html><html><body><h1>Briefly unavailable for scheduled maintenance. "
            b"Check back in a minute.</h1></body></html>",
            {**headers, "Content-Type": "text/html; charset=UTF-8"},
        )
    if kind == "object":
        return json.dumps({"posts": json.loads(body)}).encode(), headers
    headers = {k: v for k, v in headers.items() if k != "X-WP-TotalPages"}
    return body, headers


def expected_publications(
    seed: int = DEFAULT_SEED, start: str = DEFAULT_START, end: str = DEFAULT_END
) -> dict[str, dict[str, int]]:
    """Publications by local month and report category (the world's truth)."""
    from simulators.scenario.website import publications_by_month

    return publications_by_month(generate_cms_world(seed, str(parse_date(start)), str(parse_date(end))))


__all__ = ["Faults", "WordPressStandIn", "WpError", "expected_publications"]
