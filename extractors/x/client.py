"""X API v2 client: Bearer auth, rate-limit headers, ``pagination_token`` paging.

Builds on ``extractors.common.http.RestClient``. What X adds:

- every answer carries ``x-rate-limit-limit``, ``-remaining`` and ``-reset`` (Unix
  seconds, mostly 15-minute windows): when ``remaining`` reaches 0 the client
  waits until ``reset`` before its next call instead of running into a 429;
- a 429 (error code 88 in v1.1 terms) is retried after ``x-rate-limit-reset``
  (the common client's ``wait_retry_after``), 5xx with backoff;
- 401 means the Bearer token was rejected, 403 that the app's access level does
  not include the endpoint: both fail at once, naming the connection to fix;
- a 429 whose problem type is ``usage-capped`` (title ``UsageCapExceeded``) is the
  project's monthly cap of reads, not a 15-minute window: waiting cannot help, so
  it fails at once (``UsageCapError``) instead of being retried;
- a 200 can carry ``errors`` beside ``data`` (partial errors, in the problem
  format ``{"title", "detail", "type", "resource_type", "resource_id", "value",
  "parameter", "section", "field"}``): an error about one post (``resource_type``
  "tweet", or anything in ``includes``) is per item and handed to the caller with
  the page (``XPage.errors``); any other (e.g. the timeline's own user not found or
  not authorized, which comes as ``errors`` without ``data``) fails the request.

Every request is counted (X bills per resource read: "Log request counts").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests

from extractors.common.http import AuthError, MalformedPageError, RestClient, RetryableHTTPError, SourceError
from extractors.common.streams import Listing, Page


class UsageCapError(SourceError):
    """429 ``UsageCapExceeded``: the project's cap of reads for the period is used up."""


@dataclass
class XPage(Page):
    """A page and the per-item errors that came with it."""

    errors: list[dict[str, Any]] = field(default_factory=list)


def problem_kind(error: dict[str, Any]) -> str:
    """The last part of a problem's ``type`` (``resource-not-found``, ``not-authorized-for-field``, ...)."""
    return str(error.get("type") or "").rsplit("/", 1)[-1] or str(error.get("title") or "unknown")


def is_item_error(error: Any) -> bool:
    """An error about one post (or one included object), not about the request."""
    return isinstance(error, dict) and (error.get("resource_type") == "tweet" or error.get("section") == "includes")


def describe_problem(error: Any) -> str:
    """``Title (kind): detail`` of a problem; the detail of X's problems names ids and fields, never text."""
    if not isinstance(error, dict):
        return repr(error)[:200]
    return (
        f"{error.get('title') or 'Error'} ({problem_kind(error)}): {error.get('detail') or error.get('message') or ''}"
    )


log = logging.getLogger(__name__)


@dataclass
class XClient(RestClient):
    clock: Callable[[], float] = time.time  # the epoch clock x-rate-limit-reset is measured on
    waits: list[float] = field(default_factory=list)
    _blocked_until: float = 0.0

    def _send(self, path: str, params: dict[str, Any] | None) -> requests.Response:
        wait = self._blocked_until - self.clock()
        if wait > 0:
            log.warning(
                "%s: rate-limit window exhausted; waiting %.0fs for x-rate-limit-reset before GET %s",
                self.source,
                wait,
                path,
            )
            self.waits.append(wait)
            self.sleep(wait)
        self._blocked_until = 0.0
        self.request_count += 1
        resp = self.session.get(self.url(path), params=params, timeout=self.timeout)
        if resp.status_code < 400:
            self._read_limits(resp)  # a 429 is waited out by the retry (x-rate-limit-reset), not twice
        if resp.status_code == 401:
            raise AuthError(
                f"{self.source}: 401 Unauthorized on GET {path}: the Bearer token was rejected; put the "
                "X app's Bearer token in the password of the connection (not retried)"
            )
        if resp.status_code == 403:
            raise AuthError(
                f"{self.source}: 403 Forbidden on GET {path}: {_detail(resp)}; the app's access level "
                "or project does not include this endpoint (not retried)"
            )
        if resp.status_code == 429:
            body = _body(resp)
            if problem_kind(body) == "usage-capped" or body.get("title") == "UsageCapExceeded":
                raise UsageCapError(
                    f"{self.source}: 429 {body.get('title') or 'UsageCapExceeded'} on GET {path}: "
                    f"{body.get('detail') or 'usage cap exceeded'} (period {body.get('period', '?')}, scope "
                    f"{body.get('scope', '?')}); the X project's cap of reads is used up until the period resets: "
                    "raise the cap in the developer portal or wait (not retried)"
                )
        if resp.status_code == 429 or resp.status_code >= 500:
            raise RetryableHTTPError(f"{self.source}: {resp.status_code} on GET {path}", response=resp)
        if resp.status_code >= 400:
            raise SourceError(f"{self.source}: {resp.status_code} on GET {path}: {_detail(resp)}")
        return resp

    def _read_limits(self, resp: requests.Response) -> None:
        remaining = resp.headers.get("x-rate-limit-remaining")
        reset = resp.headers.get("x-rate-limit-reset")
        if remaining is not None and remaining.strip() == "0" and reset and reset.strip().isdigit():
            self._blocked_until = float(reset)


def _body(resp: requests.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _detail(resp: requests.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.reason or ""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message") or errors[0].get("detail") or body.get("detail"))
        return str(body.get("detail") or body.get("title") or resp.reason)
    return resp.reason or ""


def response_json(resp: requests.Response, request: str, page: int) -> Any:
    try:
        return resp.json()
    except ValueError as exc:
        raise MalformedPageError(f"{request} (page {page}): body is not JSON ({exc})") from None


class PaginationTokenPaginator:
    """``pagination_token`` = the previous page's ``meta.next_token``, until there is none."""

    def __init__(self, page_size: int = 100):
        if not 5 <= page_size <= 100:
            raise ValueError("x: max_results must be 5..100")
        self.page_size = page_size

    def pages(
        self, client: RestClient, path: str, params: dict[str, Any], listing: Listing | None = None
    ) -> Iterator[XPage]:
        """Every page; ``listing``: complete when paging reached the page without
        ``next_token`` (the timeline gives no total)."""
        listing = listing if listing is not None else Listing()
        token: str | None = None
        number = 0
        while True:
            number += 1
            q = {**params, "max_results": self.page_size}
            if token:
                q["pagination_token"] = token
            request = f"GET {path}?{urlencode(q)}"
            body = response_json(client.get(path, q), request, number)
            errors = body.get("errors", []) if isinstance(body, dict) else []
            if not isinstance(errors, list):
                raise MalformedPageError(f"{client.source}: {request} (page {number}): 'errors' is not a list")
            request_errors = [e for e in errors if not is_item_error(e)]
            if request_errors:  # about the request itself (e.g. the user): nothing on this page can be trusted
                e = request_errors[0]
                kind = (
                    AuthError if isinstance(e, dict) and problem_kind(e).startswith("not-authorized") else SourceError
                )
                raise kind(f"{client.source}: {request} (page {number}): {describe_problem(e)} (not retried)")
            meta = body.get("meta") if isinstance(body, dict) else None
            if not isinstance(meta, dict):
                raise MalformedPageError(f"{client.source}: {request} (page {number}): response has no 'meta'")
            data = body.get("data", [])  # absent when result_count is 0
            if not isinstance(data, list):
                raise MalformedPageError(f"{client.source}: {request} (page {number}): 'data' is not a list")
            listing.pages = number
            listing.received += len(data)
            yield XPage(data, request, number, None, {}, errors)
            token = meta.get("next_token")
            if not token:
                listing.finished = True
                return
            if not (data or errors):
                listing.problems.append(f"{path}: page {number} is empty but names a next page")
                return
