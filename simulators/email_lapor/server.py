"""The Email Lapor mailbox on a real IMAP server (pymap, in-memory backend).

``ImapStandIn`` runs ``pymap`` (a pip-installable IMAP4rev1 server) in a
subprocess bound to 127.0.0.1 on a free port, with one login whose password is
passed through the environment (never on the command line), and delivers the
generated messages into the mailbox with IMAP ``APPEND``, each with its
INTERNALDATE = the time the gateway received it. Nothing here fakes the
protocol: the extractor talks to the server exactly as it would to Exchange or
Dovecot.

Knobs for tests:

* ``as_of``: deliver only messages received before it; ``deliver(until)`` then
  delivers more (new mail arriving between two pulls);
* ``migrate()``: the mailbox moves to a new server (restart on the same port):
  every message comes back under a new UIDVALIDITY with new UIDs;
* a restart (``stop()`` then ``start()``, or a new ``ImapStandIn`` with the same
  seed and range) serves the same mailbox: same UIDVALIDITY, same UIDs (see
  ``uid_validity_for``);
* ``flags()``, ``mark_seen(uids)``: what a human reader's client would see or do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import imaplib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simulators.scenario.email_lapor import MAILBOX_ADDRESS, Mail, generate
from simulators.scenario.world import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, LOCAL_TZ

_PASSWORD_ENV = "EMAIL_LAPOR_STAND_IN_PASSWORD"
_USER_ENV = "EMAIL_LAPOR_STAND_IN_USER"
_HOME_ENV = "EMAIL_LAPOR_STAND_IN_HOME"
_UIDVALIDITY_ENV = "EMAIL_LAPOR_STAND_IN_UIDVALIDITY"
# pymap's maildir backend, run by this script (it hashes the password into the shadow file and
# serves the written message files byte for byte with INTERNALDATE from their mtime).
_LAUNCHER = Path(__file__).with_name("pymap_launch.py")
# a bare LF (2 of the 9,783 messages, in a folded header) arrives as CRLF over APPEND: stored so
_BARE_LF = re.compile(rb"(?<!\r)\n")
_FIRST_UID = 101  # as pymap's dict backend numbered them: UIDs stay what earlier runs stored
_WIB = "<+07>-7"  # POSIX TZ for Asia/Jakarta (UTC+7, no DST): INTERNALDATE in +0700


def _die_with_parent() -> None:
    """In the child: on Linux, get SIGTERM when the process that started the server dies,
    so a killed pipeline never leaves an IMAP server behind."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ImapStandIn:
    """pymap serving the generated Email Lapor mailbox on 127.0.0.1."""

    def __init__(
        self,
        seed: int = DEFAULT_SEED,
        start: str = DEFAULT_START,
        end: str = DEFAULT_END,
        *,
        username: str = MAILBOX_ADDRESS,
        password: str | None = None,
        mailbox: str = "INBOX",
        as_of: dt.datetime | None = None,
        workdir: Path | None = None,
        mails: list[Mail] | None = None,
        generation: int = 0,
    ) -> None:
        self.seed = seed
        self.username = username
        # hex: an argparse value must not start with "-" (token_urlsafe sometimes does)
        self.password = password or secrets.token_hex(16)
        self.mailbox = mailbox
        self._mails = mails
        self._scenario = (seed, start, end)  # generated on first use of .mails
        self.as_of = as_of
        self.delivered = 0  # self.mails[:delivered] are in the mailbox, in delivery order
        self.host = "127.0.0.1"
        self.port = 0
        self._proc: subprocess.Popen | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._workdir = Path(workdir) if workdir else None
        self._generation = generation  # another value (or migrate()): the mailbox on a new server
        self._uidvalidity: int | None = None
        self._home = ""  # the maildir served, relative to workdir/maildir

    @property
    def mails(self) -> list[Mail]:
        """The mailbox's messages in delivery order (generated on first use: a restart from
        the workdir's index needs none)."""
        if self._mails is None:
            self._mails = generate(*self._scenario)
        return self._mails

    # ------------------------------------------------------------ lifecycle

    def start(self) -> ImapStandIn:
        if self._workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="email-lapor-imap-")
            self._workdir = Path(self._tmp.name)
        self._workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        try:
            if not self._from_index():
                # a restart serves what was delivered before, plus what arrived by as_of
                fresh = self._mails is None and self.delivered == 0
                self.delivered += len(self._due(self.as_of))
                self._home = self._maildir(self.delivered)
                if fresh:
                    self._write_index()
            self._spawn()
        except BaseException:
            self.stop()  # never leave a server behind
            raise
        return self

    def _index_path(self) -> Path | None:
        """Where a fresh stand-in of this scenario finds its mailbox without generating it: the
        key is everything the mailbox is made of (seed, range, login, mailbox, generation,
        as_of, and the scenario's code)."""
        if self._workdir is None:
            return None
        h = hashlib.sha256(repr((self._scenario, self.username, self.mailbox, self._generation)).encode())
        h.update(repr(self.as_of and self.as_of.isoformat()).encode())
        for src in sorted(Path(__file__).parents[1].joinpath("scenario").glob("*.py")):
            h.update(src.read_bytes())
        return self._workdir / "maildir" / f"index-{h.hexdigest()[:16]}.json"

    def _from_index(self) -> bool:
        path = self._index_path() if self._mails is None and self.delivered == 0 else None
        if path is None or not path.exists():
            return False
        index = json.loads(path.read_text())
        if not (path.parent / f"{index['home']}.complete").exists():
            return False
        self._uidvalidity, self.delivered, self._home = index["uidvalidity"], index["delivered"], index["home"]
        return True

    def _write_index(self) -> None:
        path = self._index_path()
        if path is None:
            return
        for old in path.parent.glob("index-*.json"):
            old.unlink()
        index = {"uidvalidity": self.expected_uidvalidity, "delivered": self.delivered, "home": self._home}
        path.write_text(json.dumps(index))

    def _due(self, until: dt.datetime | None) -> list[Mail]:
        return [m for m in self.mails[self.delivered :] if until is None or m.received_at < until]

    def _maildir(self, n: int) -> str:
        """The mailbox with ``mails[:n]`` as a maildir under the workdir (home dir, relative).

        Written once per content (the name holds UIDVALIDITY and n) and reused by the next start:
        a restart loads nothing, pymap reads a message's file when a client FETCHes it. Written
        directly, as pymap's maildir backend would store the APPENDed messages: one file per
        message in ``cur/`` (no flags), its mtime the INTERNALDATE, and ``dovecot-uidlist``
        giving UID 101 + i to ``mails[i]``. A mailbox changed after its start (``deliver``,
        ``mark_seen``) loses its ``.complete`` mark, so the next start writes it again.
        """
        base = self._workdir / "maildir"
        base.mkdir(exist_ok=True)
        name = f"mail-{self.expected_uidvalidity:08x}-{n}"
        if self.mailbox.upper() != "INBOX":
            name += "-" + hashlib.sha256(self.mailbox.encode()).hexdigest()[:8]
        done = base / f"{name}.complete"
        for old in base.glob("mail-*"):  # one mailbox kept: the last one served
            if old.name not in (name, done.name):
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        if done.exists():
            return name
        root = base / name
        shutil.rmtree(root, ignore_errors=True)
        box = root if self.mailbox.upper() == "INBOX" else root / f".{self.mailbox}"
        for sub in ("cur", "new", "tmp"):
            (box / sub).mkdir(parents=True)
        lines = []
        for i, m in enumerate(self.mails[:n]):
            uid, file = _FIRST_UID + i, f"{_FIRST_UID + i:07d}.djpk:2,"
            path = box / "cur" / file
            path.write_bytes(_BARE_LF.sub(b"\r\n", m.raw))
            os.utime(path, (m.received_at.timestamp(),) * 2)
            lines.append(f"{uid} :{file}\r\n")
        guid = hashlib.sha256(name.encode()).hexdigest()[:32]
        header = f"3 V{self.expected_uidvalidity} N{_FIRST_UID + n} G{guid}\r\n"
        (box / "dovecot-uidlist").write_text(header + "".join(lines), newline="")
        done.touch()
        return name

    def _touched(self) -> None:
        """The mailbox on disk now differs from what its name says: not reused by a restart."""
        if self._home and self._workdir:
            (self._workdir / "maildir" / f"{self._home}.complete").unlink(missing_ok=True)

    @property
    def expected_uidvalidity(self) -> int:
        """The UIDVALIDITY this stand-in's mailbox is served under (see ``uid_validity_for``)."""
        if self._uidvalidity is None:
            self._uidvalidity = uid_validity_for(self.mails, self.username, self.mailbox, self._generation)
        return self._uidvalidity

    def _spawn(self) -> None:
        # the password reaches the server through its environment, never its command line
        log = open(self._workdir / "pymap.log", "ab")  # noqa: SIM115 - the child keeps it open
        env = {
            **os.environ,
            _USER_ENV: self.username,
            _PASSWORD_ENV: self.password,
            _HOME_ENV: self._home,
            _UIDVALIDITY_ENV: str(self.expected_uidvalidity),
            "TZ": _WIB,
        }
        self._proc = subprocess.Popen(
            [sys.executable, str(_LAUNCHER), "--host", self.host, "--port", str(self.port), "--no-tls"]
            + ["maildir", str(self._workdir / "maildir")],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            preexec_fn=_die_with_parent,
        )
        log.close()
        deadline = time.monotonic() + 30
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"pymap exited with {self._proc.returncode}; see {self._workdir / 'pymap.log'}")
            try:
                socket.create_connection((self.host, self.port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self._kill()
                    raise RuntimeError(f"pymap did not listen on {self.host}:{self.port} within 30 s") from None
                time.sleep(0.05)

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
        self._proc = None

    def stop(self) -> None:
        self._kill()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> ImapStandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------- mailbox

    @contextlib.contextmanager
    def client(self):
        """A logged-in imaplib client (what a person's mail program would be)."""
        imap = imaplib.IMAP4(self.host, self.port, timeout=30)
        imap.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            imap.login(self.username, self.password)
            yield imap
        finally:
            with contextlib.suppress(Exception):
                imap.logout()

    def deliver(self, until: dt.datetime | None = None) -> int:
        """Append every message received before ``until`` (all when None) not yet delivered."""
        todo = self._due(until)
        if todo:
            self._touched()
        self._append(todo)
        self.delivered += len(todo)
        return len(todo)

    def _append(self, mails: list[Mail], chunk: int = 200) -> None:
        """APPEND with INTERNALDATE = received time; MULTIAPPEND + LITERAL+ when the server has them."""
        if not mails:
            return
        with self.client() as imap:
            caps = {c.upper() for c in imap.capabilities}
            if not {"MULTIAPPEND", "LITERAL+"} <= caps:
                for m in mails:
                    typ, data = imap.append(self.mailbox, None, _internaldate(m), m.raw)
                    if typ != "OK":
                        raise RuntimeError(f"APPEND failed: {data!r}")
                return
            box = imaplib.IMAP4._quote(imap, self.mailbox).encode()  # noqa: SLF001
            for i in range(0, len(mails), chunk):
                tag = imap._new_tag()  # noqa: SLF001 - imaplib has no MULTIAPPEND
                parts = [
                    b" () %s {%d+}\r\n%s" % (_internaldate(m).encode(), len(m.raw), m.raw) for m in mails[i : i + chunk]
                ]
                imap.send(tag + b" APPEND " + box + b"".join(parts) + b"\r\n")
                typ, data = imap._command_complete("APPEND", tag)  # noqa: SLF001
                if typ != "OK":
                    raise RuntimeError(f"APPEND failed: {data!r}")

    def migrate(self) -> int:
        """Move the mailbox to a new server: same messages, new UIDVALIDITY, UIDs from the start."""
        old = self.uidvalidity()
        while True:  # a new identity: the next generation whose UIDVALIDITY differs
            self._generation += 1
            self._uidvalidity = None
            if self.expected_uidvalidity != old:
                break
        self._kill()
        self._home = self._maildir(self.delivered)
        self._spawn()
        return self.delivered

    def uidvalidity(self) -> int:
        with self.client() as imap:
            imap.select(self.mailbox, readonly=True)
            return int(imap.response("UIDVALIDITY")[1][-1])

    def flags(self) -> dict[int, set[str]]:
        """UID -> flags (read-only: EXAMINE, FETCH FLAGS)."""
        out: dict[int, set[str]] = {}
        with self.client() as imap:
            imap.select(self.mailbox, readonly=True)
            typ, data = imap.uid("FETCH", "1:*", "(UID FLAGS)")
            for item in data or []:
                if not item:
                    continue
                text = item.decode() if isinstance(item, bytes) else item[0].decode()
                uid = re.search(r"UID (\d+)", text)
                fl = re.search(r"FLAGS \(([^)]*)\)", text)
                if uid:
                    out[int(uid.group(1))] = set(fl.group(1).split()) if fl else set()
        return out

    def mark_seen(self, uids: list[int]) -> None:
        self._touched()
        with self.client() as imap:
            imap.select(self.mailbox)
            imap.uid("STORE", ",".join(map(str, uids)), "+FLAGS.SILENT", r"(\Seen)")

    def connection(self) -> dict:
        """The Airflow connection (as JSON-able dict) that points at this server."""
        return {
            "conn_type": "imap",
            "host": self.host,
            "port": self.port,
            "login": self.username,
            "password": self.password,
            "extra": {"mailbox": self.mailbox, "security": "none"},
        }


def uid_validity_for(mails: list[Mail], username: str, mailbox: str, generation: int = 0) -> int:
    """The mailbox's UIDVALIDITY: a 32-bit hash of what the UIDs mean.

    Messages are appended in list order, so UID 101 + i is always ``mails[i]`` (pymap
    numbers from 101): the same list (same seed and range) gives the same value at
    every start, so a restarted stand-in is the same mailbox to a client, as a real
    server's restart is. Any other content or order (or ``migrate()``: a new
    ``generation``) gives another value, so a client never takes one message for
    another under an unchanged UIDVALIDITY (RFC 3501 2.3.1.1).
    """
    h = hashlib.sha256(f"{username}\0{mailbox}\0{generation}\0".encode())
    for m in mails:
        h.update(b"%d\0%s\0" % (len(m.raw), _internaldate(m).encode()))
        h.update(m.raw)
    return int.from_bytes(h.digest()[:4], "big") % 0xFFFFFFFF + 1  # 1 .. 2**32 - 1 (nz-number)


def _internaldate(m: Mail) -> str:
    return imaplib.Time2Internaldate(m.received_at.astimezone(LOCAL_TZ))


__all__ = ["ImapStandIn", "free_port"]
