"""The WordPress REST API (``/wp-json/wp/v2``): posts and categories.

Posts are read incrementally by ``modified`` with a lookback:
``GET /wp/v2/posts?modified_after=<site time>&orderby=modified&order=asc&per_page=100&page=N``
(``modified_after`` exists since WordPress 5.7; an older site ignores it, and
the extractor's own filter on ``modified_gmt`` then keeps the window). A full
refresh reads every published post, so the loader can delete what the site no
longer publishes (trashed or unpublished posts). Categories are small and read
whole every run. Paging follows ``X-WP-TotalPages``.

Only published posts are visible to anonymous readers (drafts never are), which
is what the site's visitors, and the report, see.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import requests

from extractors.cms import models
from extractors.common.batch import Batch
from extractors.common.http import AuthError, MalformedPageError, RestClient, RetryableHTTPError, SourceError
from extractors.common.streams import Listing, Stream, read_whole, write_record

log = logging.getLogger(__name__)

API = "wp/v2"


def wp_error(resp: requests.Response) -> str:
    """``code: message`` from WordPress's error envelope (or the HTTP reason)."""
    try:
        body = resp.json()
        return f"{body.get('code', resp.reason)}: {body.get('message', '')}".strip()
    except (ValueError, AttributeError):
        return str(resp.reason)


class WordPressClient(RestClient):
    """``RestClient`` whose errors carry WordPress's error code (never credentials)."""

    def _send(self, path: str, params: dict[str, Any] | None) -> requests.Response:
        self.request_count += 1
        resp = self.session.get(self.url(path), params=params, timeout=self.timeout)
        if resp.status_code in (401, 403):
            raise AuthError(
                f"{self.source}: {resp.status_code} {wp_error(resp)} on GET {path}: check the "
                "connection's WordPress user and application password (not retried)"
            )
        if resp.status_code == 429 or resp.status_code >= 500:
            raise RetryableHTTPError(f"{self.source}: {resp.status_code} {wp_error(resp)} on GET {path}", response=resp)
        if resp.status_code >= 400:
            raise WordPressHTTPError(f"{self.source}: {resp.status_code} {wp_error(resp)} on GET {path}", response=resp)
        return resp


class WordPressHTTPError(SourceError):
    def __init__(self, message: str, response: requests.Response):
        super().__init__(message)
        self.response = response


@dataclass
class Page:
    records: list[dict]
    request: str
    number: int
    total_pages: int
    total: int | None


class WpPaginator:
    """``page``/``per_page`` paging that stops at the ``X-WP-TotalPages`` header."""

    def __init__(self, per_page: int = 100):
        if not 1 <= per_page <= 100:
            raise ValueError("cms: WordPress serves 1..100 items per page")
        self.per_page = per_page

    def pages(
        self, client: RestClient, path: str, params: dict[str, Any], listing: Listing | None = None
    ) -> Iterator[Page]:
        """Every page; ``listing`` collects the completeness evidence (X-WP-Total, full pages)."""
        listing = listing if listing is not None else Listing()
        page = 1
        while True:
            q = {**params, "per_page": self.per_page, "page": page}
            request = f"GET {path}?{urlencode(q)}"
            try:
                resp = client.get(path, q)
            except WordPressHTTPError as exc:
                if page > 1 and _code(exc.response) == "rest_post_invalid_page_number":
                    # posts were unpublished while we paged: fewer pages now; the next run's lookback re-reads
                    log.warning("cms: %s: past the last page now; stopping", request)
                    listing.problems.append(f"{path}: page {page} vanished while paging (posts were unpublished)")
                    return
                raise
            try:
                body = resp.json()
            except ValueError as exc:
                raise MalformedPageError(f"cms: {request} (page {page}): body is not JSON ({exc})") from None
            if not isinstance(body, list):
                raise MalformedPageError(
                    f"cms: {request} (page {page}): expected a JSON list, got {type(body).__name__}"
                )
            total_pages = _int_header(resp, "X-WP-TotalPages")
            if total_pages is None:
                raise MalformedPageError(f"cms: {request} (page {page}): no X-WP-TotalPages header")
            listing.observe(path, page, len(body), _int_header(resp, "X-WP-Total"), total_pages, self.per_page)
            yield Page(body, request, page, total_pages, _int_header(resp, "X-WP-Total"))
            if listing.finished or not body:
                return
            page += 1


def _code(resp: requests.Response) -> str | None:
    try:
        return resp.json().get("code")
    except (ValueError, AttributeError):
        return None


def _int_header(resp: requests.Response, name: str) -> int | None:
    value = resp.headers.get(name)
    return int(value) if value is not None and value.strip().isdigit() else None


class WordPressStream(Stream):
    source: ClassVar[str] = "cms"


class PostsStream(WordPressStream):
    name = "posts"
    path = f"{API}/posts"
    primary_key = ("id",)
    replication_key = "modified_gmt"
    schema = models.Post


class CategoriesStream(WordPressStream):
    name = "categories"
    path = f"{API}/categories"
    primary_key = ("id",)
    schema = models.Category


STREAMS: tuple[type[WordPressStream], ...] = (PostsStream, CategoriesStream)


def make_client(
    source: str, base_url: str, rest_root: str, auth: requests.auth.AuthBase | None, timeout: float, retry: Any
) -> WordPressClient:
    return WordPressClient(
        source=source, base_url=base_url.rstrip("/") + rest_root, auth=auth, timeout=timeout, retry=retry
    )


def extract(
    client: RestClient,
    batch: Batch,
    since: dt.datetime | None,
    page_size: int = 100,
    site_timezone: str = "Asia/Jakarta",
    paginator: WpPaginator | None = None,
    full_refresh: bool | None = None,
) -> None:
    """Fill ``batch``: posts modified at or after ``since`` (all on ``since=None``), every category.

    ``full_refresh`` (default ``since is None``) marks posts for reconciliation; reading
    everything without it (a run without a data interval) deletes nothing."""
    paginator = paginator or WpPaginator(page_size)
    full = since is None if full_refresh is None else full_refresh
    params: dict[str, Any] = {"orderby": "modified", "order": "asc"}
    if since is not None:
        # WordPress compares `modified_after` with `modified` (site time), strictly: ask one second earlier
        local = (since - dt.timedelta(seconds=1)).astimezone(ZoneInfo(site_timezone))
        params["modified_after"] = local.replace(tzinfo=None).isoformat(timespec="seconds")
    out = batch.stream(PostsStream.name, PostsStream.spec(), full)
    watermark: dt.datetime | None = None
    listing = Listing()
    for page in paginator.pages(client, PostsStream.path, params, listing):
        out.result.pages += 1
        for record in page.records:
            if since is not None and not _modified_since(record, since):
                continue  # an older WordPress ignored modified_after
            model = write_record(batch, PostsStream, record, page.request, full)
            if model is not None and (watermark is None or model.modified_gmt > watermark):
                watermark = model.modified_gmt
    out.result.watermark = watermark.isoformat() if watermark else None
    listing.attest(out)

    read_whole(batch, client, paginator, CategoriesStream)
    batch.requests = client.request_count


def _modified_since(record: Any, since: dt.datetime) -> bool:
    try:
        value = dt.datetime.fromisoformat(record["modified_gmt"]).replace(tzinfo=dt.UTC)
    except (KeyError, TypeError, ValueError):
        return True  # unparsable: let validation reject it with the reason
    return value >= since
