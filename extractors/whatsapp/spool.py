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
- one receiver per spool directory (an exclusive ``flock`` on ``.receiver.lock``);
- the deliveries hold personal data (phone numbers, names, what people asked): a
  spool directory the receiver creates is 0700, every file it creates 0600
  (whatever the umask). A directory or files that already exist keep their mode;
  one open to other users is reported in the log at start.

Readers (the extractor) may read while a receiver appends: they use complete
lines only.

Retention: ``prune_spool`` deletes day files that a successful extract (one whose
batch was loaded) read in full, once they are older than ``keep_days``. What was
read in full is remembered in ``.extracted.json`` in the spool directory, so a
file read by a daily incremental run (two days of lookback) can be deleted a week
later by another run that no longer reads it. A file nobody read completely is
kept whatever its age.
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
from typing import Any

import msgspec

log = logging.getLogger(__name__)

PREFIX = "webhooks-"
SUFFIX = ".jsonl"
LOCK = ".receiver.lock"
LEDGER = ".extracted.json"
DIR_MODE = 0o700
FILE_MODE = 0o600


def _private_open(path: Path, mode: str):
    """``open`` that creates the file 0600 (an existing file keeps its mode)."""
    return open(path, mode, opener=lambda p, flags: os.open(p, flags, FILE_MODE))


def _private_dir(path: Path) -> None:
    """Create ``path`` 0700 (missing parents get the default mode); an existing one is left as it is."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask


def _check_private(spool_dir: Path) -> None:
    """Log the spool directory and files that other users may read (created before they were private)."""
    open_to_others = [p.name or str(p) for p in (spool_dir, *spool_files(spool_dir)) if p.stat().st_mode & 0o077]
    if open_to_others:
        log.warning(
            "spool %s: %d entries readable by other users (%s%s); they hold personal data: "
            "chmod 700 the directory and 600 its files",
            spool_dir,
            len(open_to_others),
            ", ".join(open_to_others[:3]),
            ", ..." if len(open_to_others) > 3 else "",
        )


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


_decode = msgspec.json.Decoder().decode


def decode(data: bytes | str) -> Any:
    """``json.loads``, parsed by msgspec (several times faster); whatever msgspec refuses
    (NaN, lone surrogate escapes, numbers out of range, invalid UTF-8) goes to ``json.loads``,
    so what is accepted, what it decodes to and the reason of a rejection stay json's."""
    try:
        return _decode(data)
    except msgspec.MsgspecError:
        return json.loads(data)


def read_entries(path: Path) -> Iterator[SpoolEntry | tuple[str, int, str]]:
    """Complete lines of one spool file: a ``SpoolEntry``, or ``(file, line, reason)`` for a corrupt line."""
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.endswith(b"\n"):
                return  # being written, or cut short by a crash: never acknowledged
            try:
                entry = decode(raw)
                body = entry["body"].encode() if "body" in entry else base64.b64decode(entry["body_b64"])
                yield SpoolEntry(path.name, n, entry["sha256"], entry.get("received_at"), body)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                yield (path.name, n, f"corrupt spool line: {type(exc).__name__}")


class Spool:
    """An open spool directory, owned by one receiver process."""

    def __init__(self, spool_dir: str | Path, clock=None) -> None:
        self.dir = Path(spool_dir)
        _private_dir(self.dir)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.Lock()
        self._lockfile = _private_open(self.dir / LOCK, "a+")
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
        _check_private(self.dir)

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
            self._fh = _private_open(path, "ab")
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


# --- Retention ----------------------------------------------------------------------------------


def _utc(value: dt.datetime | str) -> dt.datetime:
    d = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def _day_end(day: dt.date) -> dt.datetime:
    """When a day file stops receiving: the next UTC midnight."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)


def files_read(spool_dir: str | Path, read_from: dt.datetime | str | None) -> list[Path]:
    """The spool files an extract with ``read_from`` reads: every file from ``read_from``'s
    UTC day on (a name without a day too), all of them when ``read_from`` is None (full refresh).
    The same rule as ``streams.extract``."""
    files = spool_files(spool_dir) if Path(spool_dir).is_dir() else []
    if read_from is None:
        return files
    first = _utc(read_from).date()  # as streams.extract: the date of read_from as given
    return [p for p in files if (file_day(p) or dt.date.max) >= first]


def read_ledger(spool_dir: str | Path) -> dict[str, dict]:
    """``.extracted.json``: per spool file read in full by a successful extract, its size and
    mtime then (``size``, ``mtime_ns``), when that extract began (``read_at``), and
    ``deleted_at`` once ``prune_spool`` deleted it (``earlier_deleted_at``: a file of
    the same name deleted before)."""
    path = Path(spool_dir) / LEDGER
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
        files = data["files"]
        if not isinstance(files, dict):
            raise TypeError("'files' is not an object")
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: unreadable ({exc}); nothing is deleted until it is repaired or removed") from None
    return files


def _write_ledger(spool_dir: Path, files: dict[str, dict]) -> None:
    path = spool_dir / LEDGER
    tmp = path.with_name(f"{LEDGER}.{os.getpid()}.tmp")
    with _private_open(tmp, "w") as fh:
        json.dump({"version": 1, "files": dict(sorted(files.items()))}, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def pruned_files(spool_dir: str | Path) -> list[str]:
    """Names of the spool files ``prune_spool`` deleted: a full refresh no longer sees their
    deliveries, so its listing of the spool is not complete."""
    return sorted(n for n, e in read_ledger(spool_dir).items() if e.get("deleted_at") or e.get("earlier_deleted_at"))


def prune_spool(
    spool_dir: str | Path,
    *,
    extracted_at: dt.datetime | str,
    read_from: dt.datetime | str | None,
    keep_days: float = 7,
    now: dt.datetime | None = None,
) -> list[Path]:
    """Call after an extract's batch was LOADED: record what it read in full, then delete the
    spool files read in full (by it or by an earlier successful extract) older than ``keep_days``.

    ``extracted_at``: when that extract began reading the spool (a time taken before it
    opened the first file); ``read_from``: its ``read_from`` (the manifest's
    ``window["read_from"]``; None when it read the whole spool).

    A day file counts as read in full by that extract when the extract read it (its day
    is on or after ``read_from``'s) and the file was complete before the extract began:
    its UTC day had ended and it was last written no later than ``extracted_at``. Such a
    file is recorded in ``.extracted.json`` (size, mtime). A file is deleted only when
    it is recorded there, has not changed since (same size and mtime), and its day
    ended more than ``keep_days`` days before ``now``. A file no successful extract
    read in full, a file without a day in its name, and anything that is not a spool
    file are never deleted. Returns the files deleted.
    """
    if keep_days < 0:
        raise ValueError("keep_days must not be negative")
    spool_dir = Path(spool_dir)
    if not spool_dir.is_dir():
        return []
    started = _utc(extracted_at)
    started_ns = int(started.timestamp()) * 10**9 + started.microsecond * 1000
    now = _utc(now) if now is not None else dt.datetime.now(dt.UTC)
    ledger = read_ledger(spool_dir)
    changed = False
    for path in files_read(spool_dir, read_from):
        day = file_day(path)
        if day is None or _day_end(day) > started:
            continue  # no day in the name, or still receiving when the extract began
        st = path.stat()
        if st.st_mtime_ns > started_ns:
            continue  # written after the extract began: it may have missed the end
        entry = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "read_at": started.isoformat()}
        old = ledger.get(path.name)
        if (
            old is None
            or (old.get("size"), old.get("mtime_ns")) != (entry["size"], entry["mtime_ns"])
            or old.get("deleted_at")
        ):
            if old is not None and (old.get("deleted_at") or old.get("earlier_deleted_at")):
                # a file of that day was deleted before (a late write made a new one): remember it
                entry["earlier_deleted_at"] = old.get("deleted_at") or old.get("earlier_deleted_at")
            ledger[path.name] = entry
            changed = True
    deleted: list[Path] = []
    cutoff = now - dt.timedelta(days=keep_days)
    for path in spool_files(spool_dir):
        entry, day = ledger.get(path.name), file_day(path)
        if entry is None or entry.get("deleted_at") or day is None or _day_end(day) > cutoff:
            continue
        st = path.stat()
        if (st.st_size, st.st_mtime_ns) != (entry.get("size"), entry.get("mtime_ns")):
            log.warning("spool %s: %s changed since it was read in full; kept", spool_dir, path.name)
            continue
        path.unlink()
        entry["deleted_at"] = now.isoformat()
        deleted.append(path)
        changed = True
    if deleted:  # make the unlinks durable before the ledger says so
        fd = os.open(spool_dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    if changed:
        _write_ledger(spool_dir, ledger)
    if deleted:
        log.info(
            "spool %s: deleted %d day files read in full by a loaded extract and older than %g days (%s .. %s)",
            spool_dir,
            len(deleted),
            keep_days,
            deleted[0].name,
            deleted[-1].name,
        )
    return deleted
