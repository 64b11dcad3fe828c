"""One HTTP client for every REST source: base URL, auth, retries, request counts.

Retries use tenacity (a kept library, not a hand loop):
- 429: wait what the server says (``Retry-After`` seconds or HTTP date, or
  ``x-rate-limit-reset`` epoch seconds), capped by ``max_wait``;
- 5xx, timeouts and dropped connections: exponential backoff with jitter;
- 401/403: never retried; fails at once with a message naming the source;
- other 4xx: never retried.
Secrets live only in the auth object; nothing here logs headers or query strings
that could carry them.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from tenacity import (
    RetryCallState,
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.wait import wait_base

log = logging.getLogger(__name__)


class SourceError(RuntimeError):
    """A source failed in a way retries cannot fix."""


class AuthError(SourceError):
    """401/403: the credentials are wrong or lack permission."""


class MalformedPageError(SourceError):
    """A page came back, but not in the documented shape."""


class BearerTokenAuth(requests.auth.AuthBase):
    """``Authorization: Bearer <token>`` with a fixed token (never printed: see ``__repr__``)."""

    def __init__(self, token: str, source: str = "", what: str = "bearer token"):
        if not token:
            raise ValueError(f"{source}: no {what} configured")
        self._token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self._token}"
        return r

    def __repr__(self) -> str:
        return "BearerTokenAuth(token='***')"


class RetryableHTTPError(requests.HTTPError):
    """429 or 5xx: worth another try."""


def retry_after_seconds(response: requests.Response | None, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait, from Retry-After or x-rate-limit-reset."""
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        parsed = email.utils.parsedate_to_datetime(value)
        if parsed is not None:
            return max(0.0, parsed.timestamp() - (now or time.time()))
    reset = response.headers.get("x-rate-limit-reset")
    if reset and reset.strip().isdigit():
        return max(0.0, float(reset) - (now or time.time()))
    return None


class wait_retry_after(wait_base):
    """Honour the server's own wait on 429; otherwise defer to ``fallback``."""

    def __init__(self, fallback: wait_base, max_wait: float):
        self.fallback = fallback
        self.max_wait = max_wait

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RetryableHTTPError) and exc.response is not None and exc.response.status_code == 429:
            asked = retry_after_seconds(exc.response)
            if asked is not None:
                return min(asked, self.max_wait)
        return self.fallback(retry_state)


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, (RetryableHTTPError, requests.Timeout, requests.ConnectionError))


@dataclass
class RetryPolicy:
    attempts: int = 6
    initial: float = 0.5
    max_backoff: float = 30.0
    jitter: float = 0.5
    max_wait: float = 900.0  # never sleep longer than this for one Retry-After


@dataclass
class RestClient:
    """A requests session bound to one source.

    ``auth`` is a ``requests.auth.AuthBase``: swap the class, not the client.
    """

    source: str
    base_url: str
    auth: requests.auth.AuthBase | None = None
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    headers: dict[str, str] = field(default_factory=dict)
    request_count: int = 0
    session: requests.Session = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep  # injectable, so tests see the waits without waiting
    wait_strategy = wait_retry_after  # how long between attempts, given the backoff; a client may swap it

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.session.headers.update({"Accept": "application/json", "User-Agent": "djpk-contact-center/0.1"})
        self.session.headers.update(self.headers)
        self.session.auth = self.auth

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def get(self, path: str, params: dict[str, Any] | None = None) -> requests.Response:
        return self.retrying(lambda: self._send(path, params))

    def retrying(self, send: Callable[[], requests.Response]) -> requests.Response:
        """``send()`` under the retry policy: retryable errors (429, 5xx, timeouts, dropped
        connections) are tried again after ``wait_strategy``'s wait, up to ``retry.attempts``."""
        policy = self.retry

        @retry(
            retry=retry_if_exception(_is_retryable),
            wait=self.wait_strategy(
                wait_exponential_jitter(initial=policy.initial, max=policy.max_backoff, jitter=policy.jitter),
                max_wait=policy.max_wait,
            ),
            stop=stop_after_attempt(policy.attempts),
            reraise=True,
            sleep=self.sleep,
            before_sleep=self._log_retry,
        )
        def _once() -> requests.Response:
            return send()

        return _once()

    def _send(self, path: str, params: dict[str, Any] | None) -> requests.Response:
        self.request_count += 1
        resp = self.session.get(self.url(path), params=params, timeout=self.timeout)
        if resp.status_code in (401, 403):
            raise AuthError(
                f"{self.source}: {resp.status_code} {resp.reason} on GET {path}: "
                "check the API key and the agent's permissions (not retried)"
            )
        if resp.status_code == 429 or resp.status_code >= 500:
            raise RetryableHTTPError(f"{self.source}: {resp.status_code} on GET {path}", response=resp)
        resp.raise_for_status()
        return resp

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s: attempt %d failed (%s); retrying in %.1fs",
            self.source,
            state.attempt_number,
            type(exc).__name__ + (f" {exc.response.status_code}" if getattr(exc, "response", None) is not None else ""),
            state.next_action.sleep if state.next_action else 0.0,
        )
