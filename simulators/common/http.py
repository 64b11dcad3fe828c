"""The HTTP plumbing every HTTP stand-in shares.

A source's stand-in subclasses ``StandInServer`` and answers one request at a time
in ``handle(method, path, headers, body) -> (status, body bytes, headers)``; this
module runs it on 127.0.0.1 in a daemon thread, turns an ``HttpError`` (the
source's subclass writes its API's error envelope) or a bug into a JSON answer,
writes the response, and keeps the request log. ``Faults`` holds the failures
every source can inject (timeouts, rate limits, server errors, malformed pages);
each source adds its own and decides what its answers look like.

    class MyStandIn(StandInServer):
        server_version = "MyStandIn/1.0"
        api_prefix = "/api"

        def handle(self, method, path, headers, body):
            return 200, json_bytes({"ok": True}), {}

    with MyStandIn() as srv:
        requests.get(srv.base_url + "/things")
"""

from __future__ import annotations

import email.utils
import json
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


def json_bytes(obj: Any, ascii: bool = False) -> bytes:
    """``obj`` as UTF-8 JSON (``ascii``: non-ASCII characters escaped, as ``json.dumps`` does by default)."""
    return json.dumps(obj, ensure_ascii=ascii).encode("utf-8")


def last_param(query: dict[str, list[str]], name: str) -> str | None:
    """The last value of a query parameter (``parse_qs`` output), None when absent."""
    values = query.get(name)
    return values[-1] if values else None


def int_param(query: dict[str, list[str]], name: str, default: int, invalid: Callable[[str], Exception]) -> int:
    """The last value of a query parameter as an int: ``default`` when absent or empty,
    ``invalid(name)`` raised when it is not an integer."""
    values = query.get(name)
    if not values or values[-1] == "":
        return default
    try:
        return int(values[-1])
    except ValueError:
        raise invalid(name) from None


def format_http_date(at: datetime | None = None) -> str:
    """An HTTP Date header for ``at`` (None = now)."""
    return email.utils.formatdate(time.time() if at is None else at.timestamp(), usegmt=True)


class HttpError(Exception):
    """An answer other than success, raised anywhere below ``StandInServer.handle``.

    A source's subclass writes its API's error envelope in ``payload``; ``headers``
    are sent with it (a ``Content-Type`` among them replaces the JSON one).
    """

    ascii_json = False  # True: the API escapes non-ASCII characters in its errors

    def __init__(self, http_status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.http_status, self.message, self.headers = http_status, message, headers or {}

    def payload(self) -> Any:
        return {"error": self.message}

    def encode(self) -> bytes:
        return json_bytes(self.payload(), ascii=self.ascii_json)


class Faults:
    """Failures injected into a stand-in's next requests: the kinds every source shares.

    ``timeout``: the next ``n`` requests sleep, then answer normally; ``rate_limit``:
    the next ``n`` answer the source's "too many requests"; ``server_error``: the next
    ``n`` answer its server error; a malformed page (``_add_malformed``, matched by
    the source) answers 200 with a broken body of one of ``KINDS``. ``take`` consumes
    them for one request in this order: timeout, the source's own errors that come
    first (``_take_first``), rate limit, server error, then the source's others
    (``_take_last``, e.g. malformed pages). ``clear()`` forgets everything.
    """

    KINDS: tuple[str, ...] = ("invalid_json", "no_data", "html")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._timeout, self._timeout_seconds = 0, 3.0
            self._rate: list[Any] = []  # one entry per request to refuse: what the source's 429 needs
            self._server_error = 0
            self._malformed: list[dict[str, Any]] = []
            self._clear()

    def _clear(self) -> None:
        """Reset the source's own faults (called with the lock held)."""

    def timeout(self, n: int = 1, seconds: float = 3) -> None:
        """The next ``n`` requests sleep ``seconds`` before answering (normally)."""
        with self._lock:
            self._timeout, self._timeout_seconds = n, seconds

    def rate_limit(self, n: int = 1, retry_after: Any = 1) -> None:
        """The next ``n`` requests answer 429 with ``Retry-After: <retry_after>``."""
        with self._lock:
            self._rate = [retry_after] * n

    def server_error(self, n: int = 1) -> None:
        """The next ``n`` requests answer the source's server error."""
        with self._lock:
            self._server_error = n

    def _add_malformed(self, kind: str, n: int | None, **where: Any) -> None:
        """A malformed page of ``kind`` for the requests ``where`` matches: ``n`` times (None = until ``clear()``)."""
        if kind not in self.KINDS:
            raise ValueError(f"unknown malformed kind {kind!r}")
        with self._lock:
            self._malformed.append({**where, "left": n, "kind": kind})

    def _pop_malformed(self, match: Callable[[dict[str, Any]], bool]) -> str | None:
        """The kind of the first malformed page ``match`` accepts that has answers left (lock held)."""
        for m in self._malformed:
            if match(m) and (m["left"] is None or m["left"] > 0):
                if m["left"] is not None:
                    m["left"] -= 1
                return m["kind"]
        return None

    def take_malformed(self, **where: Any) -> str | None:
        """The malformed page for a request whose fields equal ``where``, if any; consumes it."""
        with self._lock:
            return self._pop_malformed(lambda m: all(m[k] == v for k, v in where.items()))

    def take(self, **request: Any) -> tuple[float, tuple[str, Any] | None]:
        """(seconds to sleep, (kind, argument) or None) for one request; consumes what it uses.

        Kinds: "rate_limit" (the argument given to ``rate_limit``), "server_error", and
        the source's own (``request`` is what ``_take_first``/``_take_last`` match on).
        """
        with self._lock:
            sleep = 0.0
            if self._timeout > 0:
                self._timeout -= 1
                sleep = self._timeout_seconds
            action = self._take_first(**request)
            if action is None and self._rate:
                action = "rate_limit", self._rate.pop(0)
            if action is None and self._server_error > 0:
                self._server_error -= 1
                action = "server_error", None
            if action is None:
                action = self._take_last(**request)
            return sleep, action

    def _take_first(self, **request: Any) -> tuple[str, Any] | None:
        """The source's faults that come before rate limits (lock held)."""
        return None

    def _take_last(self, **request: Any) -> tuple[str, Any] | None:
        """The source's faults that come after server errors (lock held)."""
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    standin: StandInServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up (e.g. after their own timeout) are expected here.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def version_string(self) -> str:
        return f"{self.server.standin.server_version} {self.sys_version}"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.standin.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        srv = self.server.standin
        if method not in srv.methods:  # as http.server answers a method without do_<METHOD>
            self.send_error(HTTPStatus.NOT_IMPLEMENTED, f"Unsupported method ({method!r})")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            status, body, headers = srv.handle(method, self.path, self.headers, raw)
        except HttpError as e:
            status, body, headers = e.http_status, e.encode(), e.headers
        except Exception as e:  # noqa: BLE001  (a bug in the stand-in: still answer, loudly)
            err = srv.internal_error(e)
            status, body, headers = err.http_status, err.encode(), err.headers
        srv.log(method, self.path, status, raw)
        headers = dict(headers)
        try:
            self.log_request(status)
            self.send_response_only(status)
            self.send_header("Server", self.version_string() if srv.server_python_version else srv.server_version)
            self.send_header("Date", headers.pop("Date", None) or srv.http_date())
            self.send_header("Content-Type", headers.pop("Content-Type", srv.content_type))
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (ConnectionError, TimeoutError):
            pass


class StandInServer:
    """A stand-in's HTTP server on ``host`` (``port`` 0 = any free port), run in a daemon thread.

    Subclasses answer in ``handle`` and say how they look on the wire with the class
    attributes below. ``request_log`` holds one ``log_entry`` per request answered.
    """

    server_version = "StandIn/1.0"  # the Server header ...
    server_python_version = True  # ... followed by " Python/3.x", as http.server writes it
    methods: tuple[str, ...] = ("GET",)  # others answer 501, as http.server does
    content_type = "application/json; charset=utf-8"  # unless the answer's headers give one
    api_prefix = ""  # base_url = root_url + api_prefix
    thread_name = "standin"
    faults: Faults  # set by the subclass: its source's Faults

    def __init__(self, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> None:
        self.host, self.port, self.verbose = host, port, verbose
        self.request_log: list[tuple[Any, ...]] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- control

    @property
    def root_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("stand-in not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + self.api_prefix

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        httpd = _Server((self.host, self.port), _Handler)
        httpd.standin = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"{self.thread_name}-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_forever(self) -> None:
        """Start and block until KeyboardInterrupt (for the command line)."""
        self.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --------------------------------------------------------------- requests

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        """One request (``path`` with its query string): (status, body, headers).
        An ``HttpError`` raised here is answered with its status and payload."""
        raise NotImplementedError

    def internal_error(self, exc: Exception) -> HttpError:
        """The answer to a bug in ``handle``, in the source's error envelope."""
        return HttpError(500, f"stand-in error: {exc!r}")

    def http_date(self) -> str:
        """The Date header of answers whose headers give none."""
        return format_http_date()

    def take_faults(self, **request: Any) -> tuple[str, Any] | None:
        """``self.faults.take(**request)``, sleeping the timeout it asks for; the fault to answer, if any."""
        sleep, action = self.faults.take(**request)
        if sleep:
            time.sleep(sleep)
        return action

    def log(self, method: str, path: str, status: int, body: bytes) -> None:
        entry = self.log_entry(method, path, status, body)
        with self._lock:
            self.request_log.append(entry)

    def log_entry(self, method: str, path: str, status: int, body: bytes) -> tuple[Any, ...]:
        """What ``request_log`` keeps of one request: (method, path, status)."""
        return method, path, status


__all__ = ["Faults", "HttpError", "StandInServer", "format_http_date", "int_param", "json_bytes", "last_param"]
