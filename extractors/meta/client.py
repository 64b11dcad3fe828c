"""Graph API client: token auth, Graph error codes, usage-aware throttling, cursor paging.

Builds on ``extractors.common.http.RestClient`` (tenacity retries, request counts,
injectable ``sleep``) with what the Graph API does differently:

- errors come as ``{"error": {"message", "type", "code", "error_subcode",
  "is_transient", "error_user_title", "error_user_msg", "fbtrace_id"}}``, mostly
  with HTTP 400, so the code decides (the ``type`` is ``OAuthException`` for
  almost everything and says nothing):
  190/102/2500/463/467 = the token (``AuthError``, not retried); errors about one
  object only = ``ItemUnavailableError`` (the caller skips that item, see
  ``ITEM_ERRORS``): 100/2108006 (media posted before the account became a business
  account), 10 "Not enough viewers for the media to show insights", 100/33 (the
  object is gone or cannot be read); other 10 and 200-299 = permissions
  (``AuthError``); 4, 17, 32, 613, 80001-80014 = rate limits (waited out, then
  retried); 100 "must be a valid insights metric" = ``InvalidMetricError`` (the
  caller drops that metric); 1, 2, ``is_transient`` and 5xx = retried with
  backoff; anything else fails the run. No message ever carries the token (it is
  scrubbed from Meta's messages too);
- every answer carries ``X-App-Usage`` and ``X-Business-Use-Case-Usage``: at or
  above ``usage_threshold`` % (default 80) the client pauses before its next call,
  for ``estimated_time_to_regain_access`` minutes when Meta gives one, otherwise a
  pause growing with the usage (up to ``throttle_seconds`` at 100 %);
- the access token (``extractors.meta.auth``) is never logged; when it travels in
  the URL it is scrubbed from the messages of connection errors (which quote the
  URL). ``paging.next`` URLs carry the token, so paging follows
  ``paging.cursors.after`` with our own parameters instead of ``next``.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from tenacity import RetryCallState

from extractors.common.http import (
    AuthError,
    MalformedPageError,
    RestClient,
    RetryableHTTPError,
    SourceError,
    wait_retry_after,
)
from extractors.common.streams import Listing, Page

log = logging.getLogger(__name__)

AUTH_CODES = {102, 190, 463, 467, 2500}
PERMISSION_CODES = {10} | set(range(200, 300))
RATE_LIMIT_CODES = {4, 17, 32, 613} | set(range(80001, 80015))
TRANSIENT_CODES = {1, 2}
_INVALID_METRIC = re.compile(r"valid insights metric|metric\[\d+\] must be one of", re.IGNORECASE)
_NOT_ENOUGH_VIEWERS = re.compile(r"not enough viewers", re.IGNORECASE)
# Errors about one object (a media, a post), never about the token or the app:
# (code, subcode) -> what it means for the item. Code 10 counts only with Meta's
# "Not enough viewers" message; any other code 10 is a missing permission.
ITEM_ERRORS: dict[tuple[int, int | None], str] = {
    (100, 2108006): "insights unavailable: the media was posted before the account was converted to a business account",
    (10, None): "insights withheld: too few viewers for Meta to show them",
    (100, 33): "the object does not exist any more, or cannot be read with this token",
}


class GraphRateLimitError(RetryableHTTPError):
    """Error codes 4/17/32/613/800xx: wait ``wait_seconds`` and try again."""

    def __init__(self, message: str, response: requests.Response, wait_seconds: float):
        super().__init__(message, response=response)
        self.wait_seconds = wait_seconds


class InvalidMetricError(SourceError):
    """``(#100) The value must be a valid insights metric``: one requested metric is
    unknown or retired, and Meta fails the whole request for it."""

    def __init__(self, message: str, request: str):
        super().__init__(message)
        self.api_message = message
        self.request = request


class ItemUnavailableError(SourceError):
    """An error about one object (see ``ITEM_ERRORS``): the caller skips that item,
    records why, and goes on with the others."""

    def __init__(
        self,
        message: str,
        request: str,
        code: int,
        subcode: int | None,
        meaning: str,
        api_message: str,
        user_title: str | None,
        fbtrace_id: str | None,
    ):
        super().__init__(message)
        self.request = request
        self.code, self.subcode, self.meaning = code, subcode, meaning
        self.api_message, self.user_title, self.fbtrace_id = api_message, user_title, fbtrace_id

    def error(self) -> dict[str, Any]:
        """The error as recorded with the skipped item (no trace id: it changes on every call)."""
        out: dict[str, Any] = {"code": self.code, "error_subcode": self.subcode, "message": self.api_message}
        if self.user_title:
            out["error_user_title"] = self.user_title
        return out


def item_error(code: Any, subcode: Any, message: str) -> str | None:
    """What an error means for the one object it is about, or None when it is not such an error."""
    if code == 10:
        return ITEM_ERRORS[(10, None)] if _NOT_ENOUGH_VIEWERS.search(message) else None
    return ITEM_ERRORS.get((code, subcode)) if isinstance(code, int) and isinstance(subcode, int) else None


@dataclass
class Usage:
    """The highest percentage in the usage headers, and Meta's own wait (seconds)."""

    max_pct: float
    regain_seconds: float
    detail: str


def parse_usage(headers: Any) -> Usage | None:
    """``X-App-Usage`` and ``X-Business-Use-Case-Usage`` (None when neither is sent:
    absence is not zero usage)."""
    pcts: list[tuple[float, str]] = []
    regain = 0.0
    app = headers.get("X-App-Usage")
    if app:
        try:
            for k, v in json.loads(app).items():
                pcts.append((float(v), f"app.{k}"))
        except (ValueError, AttributeError, TypeError):
            log.warning("meta: unreadable X-App-Usage header %r", app[:200])
    buc = headers.get("X-Business-Use-Case-Usage")
    if buc:
        try:
            for obj, entries in json.loads(buc).items():
                for e in entries:
                    for k in ("call_count", "total_cputime", "total_time"):
                        if k in e:
                            pcts.append((float(e[k]), f"{e.get('type', 'buc')}:{obj}.{k}"))
                    regain = max(regain, float(e.get("estimated_time_to_regain_access") or 0) * 60)
        except (ValueError, AttributeError, TypeError):
            log.warning("meta: unreadable X-Business-Use-Case-Usage header %r", buc[:200])
    if not pcts and not regain:
        return None
    top = max(pcts) if pcts else (0.0, "")
    return Usage(top[0], regain, top[1])


class wait_graph(wait_retry_after):
    """A rate-limit error waits what Meta said (or ``rate_limit_wait``); else ``fallback``."""

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, GraphRateLimitError):
            return min(exc.wait_seconds, self.max_wait)
        return self.fallback(retry_state)


@dataclass
class GraphClient(RestClient):
    usage_threshold: float = 80.0
    throttle_seconds: float = 60.0
    rate_limit_wait: float = 300.0  # a rate-limit error without estimated_time_to_regain_access
    clock: Callable[[], float] = time.monotonic
    last_usage: Usage | None = None
    max_usage_pct: float = 0.0
    pauses: list[float] = field(default_factory=list)
    _resume_at: float = 0.0
    wait_strategy = wait_graph

    def _send(self, path: str, params: dict[str, Any] | None) -> requests.Response:
        self._pause_if_needed()
        self.request_count += 1
        try:
            resp = self.session.get(self.url(path), params=params, timeout=self.timeout)
        except requests.RequestException as exc:  # the message quotes the URL, token included
            scrub = getattr(self.auth, "scrub", lambda s: s)
            raise type(exc)(scrub(str(exc))) from None
        if resp.status_code < 400:
            self._read_usage(resp, path)
            return resp
        err = _error(resp)
        code = err.get("code")
        subcode = err.get("error_subcode")
        scrub = getattr(self.auth, "scrub", lambda s: s)
        message = scrub(str(err.get("message") or resp.reason))
        where = f"GET {path}"
        if code in AUTH_CODES or (resp.status_code == 401 and code is None):
            raise AuthError(
                f"{self.source}: the access token was rejected on {where} (HTTP {resp.status_code}, "
                f"{err.get('type', 'OAuthException')} code {code}"
                + (f"/{subcode}" if subcode is not None else "")
                + f": {message}); issue a new token and store it as the password of the connection "
                "(not retried)"
            )
        meaning = item_error(code, subcode, message)
        if meaning is not None:
            title = err.get("error_user_title")
            raise ItemUnavailableError(
                f"{self.source}: {where}: {meaning} (code {code}"
                + (f"/{subcode}" if subcode is not None else "")
                + f": {message})",
                where,
                code,
                subcode,
                meaning,
                message,
                scrub(str(title)) if title else None,
                err.get("fbtrace_id"),
            )
        if code in PERMISSION_CODES or (resp.status_code == 403 and code not in RATE_LIMIT_CODES):
            raise AuthError(
                f"{self.source}: permission denied on {where} (code {code}: {message}); the token needs "
                "instagram_basic, instagram_manage_insights, pages_read_engagement and read_insights (not retried)"
            )
        if code in RATE_LIMIT_CODES:
            usage = parse_usage(resp.headers)
            wait = usage.regain_seconds if usage and usage.regain_seconds else self.rate_limit_wait
            log.warning("%s: rate limited on %s (code %s: %s); waiting %.0fs", self.source, where, code, message, wait)
            raise GraphRateLimitError(
                f"{self.source}: rate limited on {where} (code {code}: {message})", response=resp, wait_seconds=wait
            )
        if code == 100 and _INVALID_METRIC.search(message):
            raise InvalidMetricError(message, where)
        if resp.status_code >= 500 or code in TRANSIENT_CODES or err.get("is_transient"):
            raise RetryableHTTPError(
                f"{self.source}: {resp.status_code} on {where} (code {code}: {message})", response=resp
            )
        raise SourceError(
            f"{self.source}: {resp.status_code} on {where}: {message} (code {code}, "
            f"subcode {subcode}, fbtrace_id {err.get('fbtrace_id')})"
        )

    def _pause_if_needed(self) -> None:
        wait = self._resume_at - self.clock()
        if wait > 0:
            self.pauses.append(wait)
            self.sleep(wait)
        self._resume_at = 0.0

    def _read_usage(self, resp: requests.Response, path: str) -> None:
        usage = parse_usage(resp.headers)
        if usage is None:
            return
        self.last_usage = usage
        self.max_usage_pct = max(self.max_usage_pct, usage.max_pct)
        if usage.regain_seconds > 0:
            pause = usage.regain_seconds
        elif usage.max_pct >= self.usage_threshold:
            over = (usage.max_pct - self.usage_threshold + 1) / (100.0 - self.usage_threshold + 1)
            pause = self.throttle_seconds * min(1.0, over)
        else:
            return
        log.warning(
            "%s: API usage %.0f%% (%s) after GET %s, threshold %.0f%%: pausing %.1fs before the next call",
            self.source,
            usage.max_pct,
            usage.detail,
            path,
            self.usage_threshold,
            pause,
        )
        self._resume_at = max(self._resume_at, self.clock() + pause)


def _error(resp: requests.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    err = body.get("error") if isinstance(body, dict) else None
    return err if isinstance(err, dict) else {}


def response_json(resp: requests.Response, request: str, page: int) -> Any:
    try:
        return resp.json()
    except ValueError as exc:
        raise MalformedPageError(f"{request} (page {page}): body is not JSON ({exc})") from None


class GraphCursorPaginator:
    """Cursor paging of Graph list edges: ``after`` = the previous page's
    ``paging.cursors.after``; the last page is the one without ``paging.next``."""

    def __init__(self, page_size: int = 100):
        self.page_size = page_size

    def pages(
        self, client: RestClient, path: str, params: dict[str, Any], listing: Listing | None = None
    ) -> Iterator[Page]:
        """Every page; ``listing`` collects the completeness evidence: the edge gives no
        total, so a listing is complete when paging reached the page without ``next``."""
        listing = listing if listing is not None else Listing()
        after: str | None = None
        number = 0
        while True:
            number += 1
            q = {**params, "limit": self.page_size}
            if after:
                q["after"] = after
            request = f"GET {path}?{urlencode(q)}"
            body = response_json(client.get(path, q), request, number)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise MalformedPageError(f"{client.source}: {request} (page {number}): response has no 'data' list")
            paging = body.get("paging") or {}
            if not isinstance(paging, dict):
                raise MalformedPageError(f"{client.source}: {request} (page {number}): 'paging' is not an object")
            listing.pages = number
            listing.received += len(data)
            yield Page(data, request, number, None, {})
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                listing.finished = True
                return
            if not data:
                listing.problems.append(f"{path}: page {number} is empty but names a next page")
                return
