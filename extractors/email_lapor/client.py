"""A read-only IMAP client (stdlib ``imaplib``) for one mailbox.

* Transport is a small swappable choice: ``ssl`` (IMAP4_SSL, port 993, the
  default), ``starttls`` (IMAP4 + STARTTLS, port 143) or ``none`` (plain IMAP4,
  for a server on localhost only).
* The mailbox is opened with ``EXAMINE`` (read-only) and messages are fetched
  with ``BODY.PEEK[]``: reading never sets ``\\Seen`` (nor clears ``\\Recent``),
  so the people who work the mailbox see it exactly as before.
* Connecting, logging in and each fetch are retried with tenacity (exponential
  backoff with jitter) on dropped connections and timeouts; a refused login is
  never retried and its message never carries the password.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import logging
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from extractors.common.http import AuthError, RetryPolicy, SourceError

log = logging.getLogger(__name__)

SOURCE = "email_lapor"
FETCH_ITEMS = "(UID INTERNALDATE RFC822.SIZE BODY.PEEK[])"
RETRYABLE = (OSError, imaplib.IMAP4.abort, EOFError)  # socket errors, timeouts, dropped connections


class MalformedResponseError(SourceError):
    """The server answered, but not in the shape RFC 3501 describes."""


@dataclass
class MailboxStatus:
    name: str
    uidvalidity: int
    exists: int
    uidnext: int | None


@dataclass
class Fetched:
    uid: int
    internaldate: dt.datetime | None
    size: int | None
    raw: bytes


_MONTHS = {
    m: i
    for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)
}
_INTERNALDATE = re.compile(
    rb'INTERNALDATE "\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"'
)
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


def parse_internaldate(meta: bytes) -> dt.datetime | None:
    """INTERNALDATE "04-Dec-2023 09:12:00 +0700" as an aware datetime (locale-independent)."""
    m = _INTERNALDATE.search(meta)
    if not m:
        return None
    day, mon, year, hh, mm, ss, sign, oh, om = m.groups()
    month = _MONTHS.get(mon.decode().title())
    if month is None:
        return None
    offset = dt.timedelta(hours=int(oh), minutes=int(om)) * (-1 if sign == b"-" else 1)
    return dt.datetime(int(year), month, int(day), int(hh), int(mm), int(ss), tzinfo=dt.timezone(offset))


def parse_fetch(data: list) -> Iterator[Fetched]:
    """The items of an imaplib UID FETCH answer.

    imaplib gives each message as ``(b'<seq> (UID n INTERNALDATE ... BODY[] {len}', b'<literal>')``
    followed by ``b')'`` (or ``b' UID n)'`` when the server puts attributes after
    the literal); a message without a literal is a plain bytes item.
    """
    i = 0
    while i < len(data):
        item = data[i]
        i += 1
        if item is None:
            continue
        if isinstance(item, tuple):
            meta, literal = item[0], item[1]
            if i < len(data) and isinstance(data[i], bytes) and not re.match(rb"^\d+ \(", data[i]):
                meta += data[i]  # attributes after the literal, and the closing parenthesis
                i += 1
        else:
            meta, literal = item, None
        uid = _UID.search(meta)
        if not uid:
            raise MalformedResponseError(f"{SOURCE}: FETCH item without UID: {meta[:120]!r}")
        if literal is None:
            continue  # e.g. an unsolicited FLAGS update
        size = _SIZE.search(meta)
        yield Fetched(int(uid.group(1)), parse_internaldate(meta), int(size.group(1)) if size else None, literal)


class ImapClient:
    """One connection to one mailbox, opened read-only."""

    def __init__(
        self,
        host: str,
        port: int | None,
        username: str,
        password: str,
        mailbox: str = "INBOX",
        security: str = "ssl",
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ):
        if security not in ("ssl", "starttls", "none"):
            raise ValueError(f"{SOURCE}: security must be ssl, starttls or none, not {security!r}")
        if not username or not password:
            raise ValueError(f"{SOURCE}: no IMAP login or password configured")
        self.host, self.username, self.mailbox, self.security = host, username, mailbox, security
        self.port = port or (993 if security == "ssl" else 143)
        self._password = password
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.ssl_context = ssl_context
        self.imap: imaplib.IMAP4 | None = None
        self.status: MailboxStatus | None = None
        self.command_count = 0

    def __repr__(self) -> str:  # never print the password
        return (
            f"ImapClient(host={self.host!r}, port={self.port}, username={self.username!r}, password='***', "
            f"mailbox={self.mailbox!r}, security={self.security!r})"
        )

    # ----------------------------------------------------------------- session

    def _retrying(self) -> Retrying:
        return Retrying(
            retry=retry_if_exception_type(RETRYABLE),
            stop=stop_after_attempt(self.retry.attempts),
            wait=wait_exponential_jitter(
                initial=self.retry.initial, max=self.retry.max_backoff, jitter=self.retry.jitter
            ),
            before_sleep=lambda rs: log.warning(
                "%s: %s, retrying (attempt %d)", SOURCE, _describe(rs.outcome.exception()), rs.attempt_number
            ),
            reraise=True,
        )

    def open(self) -> MailboxStatus:
        """Connect, log in and EXAMINE the mailbox (retried on network errors)."""
        return self._retrying()(self._open)

    def _open(self) -> MailboxStatus:
        self.close()
        if self.security == "ssl":
            ctx = self.ssl_context or ssl.create_default_context()
            imap = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=ctx, timeout=self.timeout)
        else:
            imap = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                imap.starttls(ssl_context=self.ssl_context or ssl.create_default_context())
        self.imap = imap
        imap.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            imap.login(self.username, self._password)
        except imaplib.IMAP4.error as exc:
            if isinstance(exc, imaplib.IMAP4.abort):
                raise
            self.close()
            raise AuthError(
                f"{SOURCE}: IMAP login refused for {self.username!r} on {self.host}:{self.port} "
                f"(check the connection's login and password): {_scrub(str(exc), self._password)}"
            ) from None
        self.command_count += 1
        typ, data = imap.select(_quote(self.mailbox), readonly=True)  # EXAMINE: read-only
        self.command_count += 1
        if typ != "OK":
            raise SourceError(f"{SOURCE}: cannot EXAMINE mailbox {self.mailbox!r}: {data!r}")
        validity = _response_int(imap, "UIDVALIDITY")
        if validity is None:
            raise MalformedResponseError(f"{SOURCE}: EXAMINE {self.mailbox!r} returned no UIDVALIDITY")
        self.status = MailboxStatus(self.mailbox, validity, int(data[0] or 0), _response_int(imap, "UIDNEXT"))
        return self.status

    def close(self) -> None:
        imap, self.imap = self.imap, None
        if imap is not None:
            try:
                imap.logout()
            except Exception:  # noqa: BLE001 - a dead connection needs no goodbye
                pass

    def __enter__(self) -> ImapClient:
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----------------------------------------------------------------- reading

    def _uid(self, command: str, *args: str) -> list:
        """One UID command; on a dropped connection reconnect (same UIDVALIDITY) and retry."""

        def attempt() -> list:
            if self.imap is None:
                before = self.status
                status = self._open()
                if before is not None and status.uidvalidity != before.uidvalidity:
                    raise SourceError(
                        f"{SOURCE}: UIDVALIDITY of {self.mailbox!r} changed during the pull "
                        f"({before.uidvalidity} -> {status.uidvalidity}); the next run re-reads it"
                    )
            try:
                typ, data = self.imap.uid(command, *args)
            except RETRYABLE:
                self.imap = None  # reconnect on the next attempt
                raise
            self.command_count += 1
            if typ != "OK":
                raise SourceError(f"{SOURCE}: UID {command} {args[0]} failed: {data!r}")
            return data

        return self._retrying()(attempt)

    def list_uids(self, first_uid: int) -> list[tuple[int, int | None]]:
        """(uid, RFC822.SIZE) of every message with UID >= ``first_uid``, ascending.

        ``n:*`` always includes the highest UID even when it is below ``n`` (RFC 3501
        6.4.8), so the answer is filtered.
        """
        data = self._uid("FETCH", f"{max(first_uid, 1)}:*", "(UID RFC822.SIZE)")
        out = []
        for item in data or []:
            if item is None:
                continue
            meta = item[0] if isinstance(item, tuple) else item
            uid = _UID.search(meta)
            if not uid:
                raise MalformedResponseError(f"{SOURCE}: FETCH item without UID: {meta[:120]!r}")
            size = _SIZE.search(meta)
            if int(uid.group(1)) >= first_uid:
                out.append((int(uid.group(1)), int(size.group(1)) if size else None))
        return sorted(set(out))

    def fetch(self, uids: list[int]) -> tuple[str, list[Fetched]]:
        """Whole messages (``BODY.PEEK[]``: never marks them read) for the given UIDs."""
        uid_set = _uid_set(uids)
        data = self._uid("FETCH", uid_set, FETCH_ITEMS)
        wanted = set(uids)
        got = [f for f in parse_fetch(data or []) if f.uid in wanted]
        request = f"UID FETCH {uid_set} {FETCH_ITEMS} [{self.mailbox}]"
        return request, got


def chunks(listing: list[tuple[int, int | None]], max_messages: int, max_bytes: int) -> Iterator[list[int]]:
    """UIDs in groups small enough to hold in memory (by count and by RFC822.SIZE)."""
    group: list[int] = []
    size = 0
    for uid, n in listing:
        n = n or 0
        if group and (len(group) >= max_messages or size + n > max_bytes):
            yield group
            group, size = [], 0
        group.append(uid)
        size += n
    if group:
        yield group


def _uid_set(uids: list[int]) -> str:
    """Compact sequence set: [1,2,3,7] -> "1:3,7"."""
    out = []
    uids = sorted(uids)
    start = prev = uids[0]
    for u in uids[1:]:
        if u == prev + 1:
            prev = u
            continue
        out.append(f"{start}:{prev}" if prev != start else str(start))
        start = prev = u
    out.append(f"{start}:{prev}" if prev != start else str(start))
    return ",".join(out)


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _response_int(imap: imaplib.IMAP4, code: str) -> int | None:
    _, values = imap.response(code)
    for v in reversed(values or []):
        if v is not None and str(v, "ascii", "replace").strip().isdigit():
            return int(v)
    return None


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "***") if secret else text


def _describe(exc: BaseException | None) -> str:
    return f"{type(exc).__name__}: {exc}" if exc else "no exception"
