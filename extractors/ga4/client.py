"""A POST-capable ``RestClient`` for the GA4 Data API, and its offset paginator.

``RestClient`` (extractors/common/http.py) only has ``get``. ``runReport`` is a
POST with a JSON body, so ``Ga4Client`` adds ``post`` with the very same retry
policy (tenacity: 429 ``RESOURCE_EXHAUSTED`` and 5xx back off exponentially with
jitter, or wait what ``Retry-After`` says when Google sends it; 401/403 fail at
once) and reads Google's error envelope ``{"error": {"code", "message",
"status"}}`` into the exception, never the request's headers. Two answers are
told apart further:

- 429 ``RESOURCE_EXHAUSTED`` naming a DAILY quota ("tokens per day"): the
  property's quota is gone until midnight Pacific time, so retrying within the run
  cannot help: ``QuotaExhaustedError`` at once (hourly and concurrent-request
  quotas are still retried with backoff);
- 400 (``INVALID_ARGUMENT``, ``FAILED_PRECONDITION``, ``OUT_OF_RANGE``): the API
  refused THIS report request: ``ReportError``, which the caller treats as a
  per-item error (that report is skipped with its reason, the others load).

``OffsetPaginator`` pages a report with ``offset``/``limit`` until ``rowCount``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

from extractors.common.http import (
    AuthError,
    MalformedPageError,
    RestClient,
    RetryableHTTPError,
    SourceError,
)

log = logging.getLogger(__name__)


REPORT_STATUSES = ("INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE")
_DAILY_QUOTA = re.compile(r"per day", re.IGNORECASE)


class QuotaExhaustedError(SourceError):
    """429 ``RESOURCE_EXHAUSTED`` for a daily quota: nothing more until it resets."""


class ReportError(SourceError):
    """400: the API refused one report request (the caller skips that report)."""

    def __init__(self, message: str, status: str, api_message: str, request: str):
        super().__init__(message)
        self.status, self.api_message, self.request = status, api_message, request


def google_error_parts(resp: requests.Response) -> tuple[str, str]:
    """``(status, message)`` from Google's error envelope (the HTTP reason when there is none)."""
    try:
        err = resp.json().get("error") or {}
        return str(err.get("status") or resp.reason), str(err.get("message") or "")
    except (ValueError, AttributeError):
        return str(resp.reason), ""


def google_error(resp: requests.Response) -> str:
    """``STATUS: message`` from Google's error envelope (or the HTTP reason)."""
    status, message = google_error_parts(resp)
    return f"{status}: {message}".strip().rstrip(":")


@dataclass
class Ga4Client(RestClient):
    """``RestClient`` plus ``post(path, body)`` for JSON-bodied calls."""

    def post(self, path: str, body: dict[str, Any]) -> requests.Response:
        return self.retrying(lambda: self._send_post(path, body))

    def _send_post(self, path: str, body: dict[str, Any]) -> requests.Response:
        self.request_count += 1
        resp = self.session.post(self.url(path), json=body, timeout=self.timeout)
        if resp.status_code in (401, 403):
            raise AuthError(
                f"{self.source}: {resp.status_code} {google_error(resp)} on POST {path}: check the token or the "
                "service account and that it has the Viewer role on the property (not retried)"
            )
        if resp.status_code == 429 and _DAILY_QUOTA.search(google_error_parts(resp)[1]):
            raise QuotaExhaustedError(
                f"{self.source}: 429 {google_error(resp)} on POST {path}: the property's daily quota is used up "
                "until midnight Pacific time; the next run after that catches up (not retried)"
            )
        if resp.status_code == 429 or resp.status_code >= 500:
            raise RetryableHTTPError(
                f"{self.source}: {resp.status_code} {google_error(resp)} on POST {path}", response=resp
            )
        status, message = google_error_parts(resp)
        if resp.status_code == 400 and status in REPORT_STATUSES:
            raise ReportError(
                f"{self.source}: 400 {status}: {message} on POST {path} (not retried)", status, message, f"POST {path}"
            )
        if resp.status_code >= 400:
            raise SourceError(f"{self.source}: {resp.status_code} {google_error(resp)} on POST {path} (not retried)")
        return resp


@dataclass
class ReportPage:
    dimension_headers: list[str]
    metric_headers: list[str]
    rows: list[dict[str, str]]  # one dict per row: dimension and metric name -> value (strings, as served)
    row_count: int
    metadata: dict[str, Any]
    request: str  # "POST path {body}" without credentials
    number: int
    offset: int


class OffsetPaginator:
    """``offset``/``limit`` paging of one report until ``rowCount`` rows have been read."""

    def __init__(self, page_size: int = 10_000):
        if not 1 <= page_size <= 250_000:
            raise ValueError("ga4: page_size must be 1..250000")
        self.page_size = page_size

    def pages(self, client: Ga4Client, path: str, body: dict[str, Any]) -> Iterator[ReportPage]:
        offset, number = 0, 1
        while True:
            q = {**body, "limit": self.page_size, "offset": offset}
            request = f"POST {path} {json.dumps(q, sort_keys=True, separators=(',', ':'))}"
            try:
                resp = client.post(path, q)
            except ReportError as exc:
                exc.request = request
                raise
            page = _parse(resp, request, number, offset)
            yield page
            offset += len(page.rows)
            if offset >= page.row_count:
                return
            if not page.rows:
                raise MalformedPageError(
                    f"{request} (page {number}): rowCount {page.row_count} but no rows at offset {offset}"
                )
            number += 1


def _parse(resp: requests.Response, request: str, number: int, offset: int) -> ReportPage:
    where = f"{request} (page {number})"
    try:
        body = resp.json()
    except ValueError as exc:
        raise MalformedPageError(f"{where}: body is not JSON ({exc})") from None
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("metricHeaders", []), list)
        or not isinstance(body.get("dimensionHeaders", []), list)
    ):
        raise MalformedPageError(f"{where}: not a runReport response")
    dims = [h.get("name") for h in body.get("dimensionHeaders", [])]
    mets = [h.get("name") for h in body.get("metricHeaders", [])]
    rows = body.get("rows", [])
    if not isinstance(rows, list):
        raise MalformedPageError(f"{where}: 'rows' is not a list")
    row_count = body.get("rowCount")
    if row_count is None:
        if rows:
            raise MalformedPageError(f"{where}: rows without a rowCount")
        row_count = 0  # proto3 JSON omits a zero rowCount (an empty report)
    if not isinstance(row_count, int) or row_count < 0:
        raise MalformedPageError(f"{where}: rowCount {row_count!r} is not a count")
    out = []
    for i, row in enumerate(rows):
        dv, mv = (
            row.get("dimensionValues", []) if isinstance(row, dict) else None,
            row.get("metricValues", []) if isinstance(row, dict) else None,
        )
        if not isinstance(dv, list) or not isinstance(mv, list) or len(dv) != len(dims) or len(mv) != len(mets):
            raise MalformedPageError(f"{where}: row {offset + i} does not match the headers")
        out.append(
            {
                **{n: v.get("value") for n, v in zip(dims, dv, strict=False)},
                **{n: v.get("value") for n, v in zip(mets, mv, strict=False)},
            }
        )
    return ReportPage(dims, mets, out, row_count, body.get("metadata") or {}, request, number, offset)
