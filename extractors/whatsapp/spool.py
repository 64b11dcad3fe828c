"""The webhook spool: append-only JSONL files, one line per delivery, fsynced before the 200.

Layout: ``<spool_dir>/webhooks-YYYYMMDD.jsonl`` (one file per UTC day of receipt).
Each line is::

    {"sha256": "<hex of the raw body>", "received_at": "2023-12-15T02:03:04.123456+00:00",
     "body": "<the raw body, exactly as received>"}

(``"body_b64"`` instead of ``"body"`` when the bytes are not UTF-8.)

Guarantees:
- a delivery is on disk (written, flushed, ``fsync``-ed, and the directory entry of
  a new file fsynced too) before ``append`` returns, so a 200 answered after it
  survives a crash;
- the same body is stored once: its SHA-256 is remembered, and the set is rebuilt
  from the files when a receiver starts, so redeliveries after a restart are
  recognised too;
- a line cut short by a crash (no final newline) was never acknowledged: it is
  cut off when the spool is opened again, and Meta redelivers it;
- one receiver per spool directory (an exclusive ``flock`` on ``.receiver.lock``).

Readers (the extractor) may read while a receiver appends: they use complete
lines only.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "webhooks-"
SUFFIX = ".jsonl"
LOCK = ".receiver.lock"


def spool_files(spool_dir: str | Path) -> list[Path]:
    """Spool files in receipt order (their names sort by day)."""
    return sorted(Path(spool_dir).glob(f"{PREFIX}*{SUFFIX}"))


def file_day(path: Path) -> dt.date | None:
    """The UTC day of receipt a spool file holds, from its name."""
    try:
        return dt.datetime.strptime(path.name[len(PREFIX) : -len(SUFFIX)], "%Y%m%d").date()
    except ValueError:
        return None


@dataclass
class SpoolEntry:
    file: str
    line: int
    sha256: str
    received_at: str | None
    body: bytes

    @property
    def request(self) -> str:
        return f"spool:{self.file}:{self.line}"


def read_entries(path: Path) -> Iterator[SpoolEntry | tuple[str, int, str]]:
    """Complete lines of one spool file: a ``SpoolEntry``, or ``(file, line, reason)`` for a corrupt line."""
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.endswith(b"\n"):
                return  # being written, or cut short by a crash: never acknowledged
            try:
                entry = json.loads(raw)
                body = entry["body"].encode() if "body" in entry else base64.b64decode(entry["body_b64"])
                yield SpoolEntry(path.name, n, entry["sha256"], entry.get("received_at"), body)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                yield (path.name, n, f"corrupt spool line: {type(exc).__name__}")


class Spool:
    """An open spool directory, owned by one receiver process."""

    def __init__(self, spool_dir: str | Path, clock=None) -> None:
        self.dir = Path(spool_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.Lock()
        self._lockfile = open(self.dir / LOCK, "a+")
        try:
            fcntl.flock(self._lockfile, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lockfile.close()
            raise RuntimeError(f"{self.dir}: another receiver owns this spool directory") from None
        self._seen: set[str] = set()
        self._fh = None
        self._day: str | None = None
        self.stored = 0
        self.duplicates = 0
        for path in spool_files(self.dir):
            self._repair_tail(path)
            for e in read_entries(path):
                if isinstance(e, SpoolEntry):
                    self._seen.add(e.sha256)
        log.info("spool %s: %d deliveries already stored", self.dir, len(self._seen))

    @staticmethod
    def _repair_tail(path: Path) -> None:
        """Cut a last line that has no newline (a write interrupted before its fsync returned)."""
        with open(path, "rb+") as fh:
            data = fh.read()
            if data and not data.endswith(b"\n"):
                keep = data.rfind(b"\n") + 1
                fh.truncate(keep)
                fh.flush()
                os.fsync(fh.fileno())
                log.warning("spool %s: cut an unfinished last line (%d bytes)", path.name, len(data) - keep)

    def __len__(self) -> int:
        return len(self._seen)

    def append(self, body: bytes) -> bool:
        """Store ``body`` durably; False when the same body is already stored."""
        digest = hashlib.sha256(body).hexdigest()
        with self._lock:
            if digest in self._seen:
                self.duplicates += 1
                return False
            now = self._clock()
            entry = {"sha256": digest, "received_at": now.isoformat()}
            try:
                entry["body"] = body.decode("utf-8")
            except UnicodeDecodeError:
                entry["body_b64"] = base64.b64encode(body).decode()
            line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            fh = self._file(now.strftime("%Y%m%d"))
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
            self._seen.add(digest)
            self.stored += 1
            return True

    def _file(self, day: str):
        if self._day != day or self._fh is None:
            if self._fh is not None:
                self._fh.close()
            path = self.dir / f"{PREFIX}{day}{SUFFIX}"
            new = not path.exists()
            self._fh = open(path, "ab")
            if new:  # make the new directory entry durable as well
                fd = os.open(self.dir, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            self._day = day
        return self._fh

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None
            if not self._lockfile.closed:
                fcntl.flock(self._lockfile, fcntl.LOCK_UN)
                self._lockfile.close()
