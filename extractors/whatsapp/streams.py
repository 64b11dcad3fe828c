"""WhatsApp streams: inbound messages and status events, from the webhook spool and BSP exports.

Both inputs carry WhatsApp Cloud API webhook ``change`` objects:

- the spool (``spool.py``): one line per webhook delivery, whose body is
  ``{"object": "whatsapp_business_account", "entry": [{"id", "changes": [change, ...]}]}``;
- a BSP export (``<export_dir>/*.jsonl``, history the receiver never saw): one
  change per line, ``{"field": "messages", "value": {...}}`` (a whole webhook
  payload per line is accepted too).

A change of field ``messages`` holds ``value.messages[]`` (with ``value.contacts[]``)
and/or ``value.statuses[]``. Every message becomes a ``messages`` record (key
``wamid``), every status a ``statuses`` record (key ``wamid`` + ``status`` +
``status_at``). The same record from both inputs, or delivered twice, is written
once: the webhook's copy wins (the spool is read first). Statuses are kept as
events, in whatever order they came; the latest status is decided downstream.
Other change fields (template updates, account alerts) are counted and skipped.

Streaming: memory does not grow with what one extract reads. The keys already
written are kept on disk (``SeenKeys``: an SQLite scratch file in the batch folder,
deleted when the extract ends), never in Python sets; files are read line by line;
JSON is parsed by msgspec (``spool.decode``: ``json.loads`` decides whatever msgspec
refuses, so acceptance, values and rejection reasons are json's).
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from extractors.common.batch import Batch, private_open
from extractors.common.streams import Stream, write_record
from extractors.whatsapp import models
from extractors.whatsapp.spool import SpoolEntry, decode, file_day, read_entries, spool_files

log = logging.getLogger(__name__)

EXPORT_PATTERNS = ("*.jsonl", "*.jsonl.gz")


class WhatsappStream(Stream):
    source: ClassVar[str] = "whatsapp"
    raw_key: ClassVar[tuple[str, ...]] = ("id",)  # the key's fields in the Cloud API object

    @classmethod
    def describe(cls, record: Any) -> str:
        """The key as the raw table names it (``wamid=...``), read from the Cloud API's fields."""
        if isinstance(record, dict):
            return ",".join(f"{k}={record.get(r)}" for k, r in zip(cls.primary_key, cls.raw_key, strict=True))
        return f"<{type(record).__name__}>"


class MessagesStream(WhatsappStream):
    name = "messages"
    path = "entry[].changes[field=messages].value.messages[]"
    primary_key = ("wamid",)
    replication_key = "sent_at"
    schema = models.Message


class StatusesStream(WhatsappStream):
    name = "statuses"
    path = "entry[].changes[field=messages].value.statuses[]"
    primary_key = ("wamid", "status", "status_at")
    replication_key = None
    raw_key = ("id", "status", "timestamp")
    schema = models.Status


STREAMS: tuple[type[WhatsappStream], ...] = (MessagesStream, StatusesStream)


@dataclass
class ExtractStats:
    deliveries: int = 0
    export_lines: int = 0
    duplicates: Counter = field(default_factory=Counter)
    skipped_fields: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)


def message_record(msg: Any, contacts: list, origin: str, received_at: str | None) -> dict:
    """The message object as sent, with our origin, receipt time and the sender's contact entry."""
    msg = msg if isinstance(msg, dict) else {"_invalid": msg}
    wa_id, user_id = msg.get("from"), msg.get("from_user_id")
    contact = next(
        (
            c
            for c in contacts
            if isinstance(c, dict)
            and (
                (wa_id is not None and c.get("wa_id") == wa_id) or (user_id is not None and c.get("user_id") == user_id)
            )
        ),
        None,
    )
    return {**msg, "_origin": origin, "_received_at": received_at, "_contact": contact}


def status_record(status: Any, origin: str, received_at: str | None) -> dict:
    status = status if isinstance(status, dict) else {"_invalid": status}
    return {**status, "_origin": origin, "_received_at": received_at}


def record_key(stream: type[WhatsappStream], record: dict) -> tuple | None:
    """The merge key of a raw record before validation (None when incomplete)."""
    key = tuple(record.get(k) for k in stream.raw_key)
    return None if None in key else tuple(map(str, key))


def _changes(payload: Any) -> Iterator[dict]:
    """The changes of a webhook payload, or the change itself (an export line)."""
    if not isinstance(payload, dict):
        raise ValueError("not a JSON object")
    if "object" in payload or "entry" in payload:
        if payload.get("object") != "whatsapp_business_account":
            raise ValueError(f"object is {payload.get('object')!r}, not 'whatsapp_business_account'")
        entries = payload.get("entry")
        if not isinstance(entries, list):
            raise ValueError("no 'entry' list")
        for entry in entries:
            changes = entry.get("changes") if isinstance(entry, dict) else None
            if not isinstance(changes, list):
                raise ValueError("an entry has no 'changes' list")
            yield from changes
    elif "field" in payload and "value" in payload:
        yield payload
    else:
        raise ValueError("neither a webhook payload nor a change")


class SeenKeys:
    """The keys already written, per stream, in an SQLite file (a scratch index, not a
    warehouse): memory stays flat however much history one extract reads.

    The file lives in the batch folder (0700; the file 0600: wamids hold phone numbers),
    with no journal and no fsync, a page cache of ``CACHE_KIB``, and is deleted by
    ``close`` (the extract closes it before the batch is committed, or when it fails).
    """

    CACHE_KIB = 8 * 1024
    NAME = ".seen-keys.sqlite3"

    def __init__(self, folder: Path, streams: tuple[type[WhatsappStream], ...]):
        self.path = Path(folder) / self.NAME
        private_open(self.path, "wb").close()  # created 0600 before SQLite opens it
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "locking_mode = EXCLUSIVE", "temp_store = FILE"):
            self.db.execute(f"pragma {pragma}")
        self.db.execute(f"pragma cache_size = -{self.CACHE_KIB}")
        self.db.execute("begin")  # one transaction for the extract: no per-key commit
        self._add: dict[str, str] = {}
        self._drop: dict[str, str] = {}
        for s in streams:
            cols = [f"k{i}" for i in range(len(s.raw_key))]
            table = f'"{s.name}"'
            self.db.execute(f"create table {table} ({', '.join(cols)}, primary key ({', '.join(cols)})) without rowid")
            marks = ", ".join("?" for _ in cols)
            self._add[s.name] = f"insert or ignore into {table} values ({marks})"
            self._drop[s.name] = f"delete from {table} where {' and '.join(f'{c} = ?' for c in cols)}"

    def add(self, stream: str, key: tuple) -> bool:
        """Record ``key``; False when it was there already."""
        return self.db.execute(self._add[stream], key).rowcount == 1

    def discard(self, stream: str, key: tuple) -> None:
        self.db.execute(self._drop[stream], key)

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)


class _Writer:
    """Writes records into the batch once per key; the first copy read wins."""

    def __init__(self, batch: Batch, full_refresh: bool, stats: ExtractStats):
        self.batch = batch
        # Messages and statuses are append-only: a delivered message never leaves
        # WhatsApp's record, while spool files rotate and expire. A full refresh
        # re-reads whatever is still there and deletes nothing.
        self.full = False
        self.stats = stats
        self.seen = SeenKeys(batch.folder, STREAMS)
        self.watermark: dt.datetime | None = None
        for s in STREAMS:
            batch.stream(s.name, s.spec(), self.full)  # present even when empty

    def write(self, stream: type[WhatsappStream], record: dict, request: str) -> None:
        key = record_key(stream, record)
        # the key is claimed first, and given back if the record is rejected: a later
        # valid copy of a rejected record is still written
        if key is not None and not self.seen.add(stream.name, key):
            self.stats.duplicates[stream.name] += 1
            return
        model = write_record(self.batch, stream, record, request, self.full)
        if model is None:
            if key is not None:
                self.seen.discard(stream.name, key)
            return
        if key is not None:
            at = model.sent_at if stream is MessagesStream else model.status_at
            if self.watermark is None or at > self.watermark:
                self.watermark = at

    def reject(self, stream: type[WhatsappStream], key: str, reason: str, record: Any, request: str) -> None:
        log.warning("whatsapp: %s quarantined: %s", key, reason)
        self.batch.stream(stream.name, stream.spec(), self.full).reject(key, reason, record, request)

    def payload(self, payload: Any, origin: str, received_at: str | None, request: str) -> None:
        try:
            changes = list(_changes(payload))
        except ValueError as exc:
            self.reject(MessagesStream, request, f"unreadable {origin} payload: {exc}", payload, request)
            return
        for change in changes:
            if not isinstance(change, dict) or change.get("field") != "messages":
                self.stats.skipped_fields[change.get("field") if isinstance(change, dict) else "?"] += 1
                continue
            value = change.get("value")
            if not isinstance(value, dict):
                self.reject(MessagesStream, request, "change without a 'value' object", change, request)
                continue
            contacts = value.get("contacts") or []
            for msg in value.get("messages") or []:
                self.write(MessagesStream, message_record(msg, contacts, origin, received_at), request)
            for status in value.get("statuses") or []:
                self.write(StatusesStream, status_record(status, origin, received_at), request)


def export_files(export_dir: str | Path | None) -> list[Path]:
    if not export_dir or not Path(export_dir).is_dir():
        return []
    return sorted({p for pat in EXPORT_PATTERNS for p in Path(export_dir).glob(pat)})


def _export_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                yield n, line


def extract(
    batch: Batch,
    spool_dir: str | Path | None,
    export_dir: str | Path | None,
    read_from: dt.datetime | None = None,
    full_refresh: bool = True,
) -> ExtractStats:
    """Fill ``batch`` from the spool (first: the webhook's copy wins) and the exports.

    ``read_from`` (incremental runs): spool files of receipt days from that day on,
    and export files modified since then. ``None`` reads everything.
    """
    stats = ExtractStats()
    w = _Writer(batch, full_refresh, stats)
    try:
        _read(w, stats, spool_dir, export_dir, read_from)
    finally:
        w.seen.close()
    wm = w.watermark.isoformat() if w.watermark else None
    for s in STREAMS:
        batch.streams[s.name].watermark = wm
        batch.streams[s.name].pages = len(stats.files)
    return stats


def _read(
    w: _Writer,
    stats: ExtractStats,
    spool_dir: str | Path | None,
    export_dir: str | Path | None,
    read_from: dt.datetime | None,
) -> None:
    spool = spool_files(spool_dir) if spool_dir and Path(spool_dir).is_dir() else []
    if read_from is not None:
        spool = [p for p in spool if (file_day(p) or dt.date.max) >= read_from.date()]
    for path in spool:
        stats.files.append(f"spool:{path.name}")
        for e in read_entries(path):
            if not isinstance(e, SpoolEntry):
                name, line, reason = e
                w.reject(MessagesStream, f"spool:{name}:{line}", reason, None, f"spool:{name}:{line}")
                continue
            stats.deliveries += 1
            try:
                payload = decode(e.body)
            except ValueError as exc:
                w.reject(
                    MessagesStream,
                    e.request,
                    f"delivery body is not JSON ({exc})",
                    e.body.decode(errors="replace"),
                    e.request,
                )
                continue
            w.payload(payload, "webhook", e.received_at, e.request)
    for path in export_files(export_dir):
        if read_from is not None and dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC) < read_from:
            continue
        stats.files.append(f"export:{path.name}")
        for n, line in _export_lines(path):
            stats.export_lines += 1
            request = f"export:{path.name}:{n}"
            try:
                payload = decode(line)
            except ValueError as exc:
                w.reject(
                    MessagesStream, request, f"export line is not JSON ({exc})", line.decode(errors="replace"), request
                )
                continue
            w.payload(payload, "export", None, request)
