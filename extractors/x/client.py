"""X API v2 client: Bearer auth, rate-limit headers, ``pagination_token`` paging.

Builds on ``extractors.common.http.RestClient``. What X adds:

- every answer carries ``x-rate-limit-limit``, ``-remaining`` and ``-reset`` (Unix
  seconds, mostly 15-minute windows): when ``remaining`` reaches 0 the client
  waits until ``reset`` before its next call instead of running into a 429;
- a 429 (error code 88 in v1.1 terms) is retried after ``x-rate-limit-reset``
  (the common client's ``wait_retry_after``), 5xx with backoff;
- 401 means the Bearer token was rejected, 403 that the app's access level does
  not include the endpoint: both fail at once, naming the connection to fix;
- a 200 can carry ``errors`` (e.g. an unknown user) instead of ``data``.

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
from extractors.common.streams import Page

log = logging.getLogger(__name__)


@dataclass
class XClient(RestClient):
    clock: Callable[[], float] = time.time  # the epoch clock x-rate-limit-reset is measured on
    waits: list[float] = field(default_factory=list)
    _blocked_until: float = 0.0

    def _send(self, path: str, params: dict[str, Any] | None) -> requests.Response:
        wait = self._blocked_until - self.clock()
        if wait > 0:
            log.warning("%s: rate-limit window exhausted; waiting %.0fs for x-rate-limit-reset before GET %s",
                        self.source, wait, path)
            self.waits.append(wait)
            self.sleep(wait)
        self._blocked_until = 0.0
        self.request_count += 1
        resp = self.session.get(self.url(path), params=params, timeout=self.timeout)
        if resp.status_code < 400:
            self._read_limits(resp)  # a 429 is waited out by the retry (x-rate-limit-reset), not twice
        if resp.status_code == 401:
            raise AuthError(f"{self.source}: 401 Unauthorized on GET {path}: the Bearer token was rejected; put the "
                            "X app's Bearer token in the password of the connection (not retried)")
        if resp.status_code == 403:
            raise AuthError(f"{self.source}: 403 Forbidden on GET {path}: {_detail(resp)}; the app's access level "
                            "or project does not include this endpoint (not retried)")
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

    def pages(self, client: RestClient, path: str, params: dict[str, Any]) -> Iterator[Page]:
        token: str | None = None
        number = 0
        while True:
            number += 1
            q = {**params, "max_results": self.page_size}
            if token:
                q["pagination_token"] = token
            request = f"GET {path}?{urlencode(q)}"
            body = response_json(client.get(path, q), request, number)
            meta = body.get("meta") if isinstance(body, dict) else None
            if not isinstance(meta, dict):
                raise MalformedPageError(f"{client.source}: {request} (page {number}): response has no 'meta'")
            data = body.get("data", [])  # absent when result_count is 0
            if not isinstance(data, list):
                raise MalformedPageError(f"{client.source}: {request} (page {number}): 'data' is not a list")
            yield Page(data, request, number, None, {})
            token = meta.get("next_token")
            if not token or not data:
                return
