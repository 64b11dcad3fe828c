"""A batch: what one extract run hands to the loader.

A batch is a folder ``<landing>/<source>/<batch_id>/`` with, per stream, a CSV
file ready for PostgreSQL ``COPY`` (typed key columns, ``_seq``, ``_request``,
``_record_hash``: the MD5 of the record's JSON text, ``record``: that text) and a
JSONL file of rejected records with their reasons, plus ``manifest.json``. The manifest is written last, atomically: a batch without
one is incomplete and the loader refuses it, so a failed extract never loads half
a window: ``with Batch(landing_dir, source, batch_id) as batch:`` commits the
batch when the block ends and aborts it when the block raises.

Guarantees made here, once, for every source:
- free text is cleaned before it is written (NUL, lone surrogates from invalid
  UTF-8, control characters), so one character never fails a COPY; the count of
  cleaned records is in the manifest;
- each stream carries its completeness evidence (``attest``): what the source said
  it holds, what arrived, and whether every page did. The loader deletes nothing
  on the strength of a listing that is not proved complete;
- a rejected record keeps its primary key (``pk``), so a full refresh never
  deletes the raw row of a record whose new version failed validation;
- landing folders are 0700 and files 0600 (they hold personal data); ``prune``
  deletes loaded batches after the retention period.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import msgspec

MANIFEST = "manifest.json"
DIR_MODE = 0o700
FILE_MODE = 0o600

log = logging.getLogger(__name__)

# C0 and C1 control characters except tab, newline and carriage return, and DEL.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Lone surrogates: what invalid UTF-8 decoded with surrogateescape leaves, and what
# a JSON "\\udXXX" escape without its pair gives. They cannot be encoded as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a record's JSON text (``_json_text``) shows when one of its strings needs
# ``clean``: C0 controls are escaped (\b, \f, \u00XX; tab, newline and carriage return,
# which ``clean`` keeps, as \t, \n, \r); C1 controls, DEL and lone surrogates appear as
# they are (DEL is ASCII). ``_maybe_dirty`` False: ``clean`` would change nothing. True may be a false
# alarm (an escaped backslash before "b", "f" or "u"): then ``clean`` decides.
_NOT_ASCII_DIRT = re.compile("[\x7f-\x9f\ud800-\udfff]")
_encode = msgspec.json.Encoder().encode


def _maybe_dirty(text: str) -> bool:
    return (
        "\\u" in text
        or "\\b" in text
        or "\\f" in text
        or "\x7f" in text
        or (not text.isascii() and _NOT_ASCII_DIRT.search(text) is not None)
    )


def _json_text(record: Any) -> str:
    """``record`` as compact JSON, non-ASCII as is: msgspec (several times faster than
    ``json.dumps``, the same escapes); what it cannot encode (lone surrogates) by ``json.dumps``.
    NaN and infinities become null (``json.dumps`` would write NaN, which PostgreSQL refuses)."""
    try:
        return _encode(record).decode()
    except (msgspec.MsgspecError, TypeError, ValueError, OverflowError):
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


# The column before ``record`` in every stream file: the MD5 of the record's JSON text as written (UTF-8), 32 hex
# digits (PostgreSQL reads them as a ``uuid``). The loader stores it beside the record and compares it
# instead of the record itself; equal hashes mean equal texts, hence equal records. Unequal hashes do
# not prove a change (the same record with its keys in another order): the loader then compares the
# records themselves. Not a security hash: nothing relies on it resisting a chosen collision.
RECORD_HASH = "_record_hash"


def record_hash(text: str) -> str:
    """The ``_record_hash`` of a record's JSON text: ``md5(text)`` in PostgreSQL on a UTF-8 database."""
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def clean_text(value: str) -> str:
    """``value`` without NUL and control characters, lone surrogates replaced by U+FFFD."""
    if value.isprintable() or not (_CONTROL.search(value) or _SURROGATE.search(value)):
        return value
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", value))


def clean(value: Any) -> tuple[Any, bool]:
    """``value`` with every string in it cleaned (keys of maps too); and whether anything changed."""
    if isinstance(value, str):
        c = clean_text(value)
        return c, c is not value and c != value
    if isinstance(value, dict):
        changed = False
        out = {}
        for k, v in value.items():
            ck, a = clean(k) if isinstance(k, str) else (k, False)
            cv, b = clean(v)
            out[ck] = cv
            changed = changed or a or b
        return (out, True) if changed else (value, False)
    if isinstance(value, list | tuple):
        items = [clean(v) for v in value]
        if any(b for _, b in items):
            return [v for v, _ in items], True
        return value, False
    return value, False


def private_open(path: Path, mode: str = "w", **kw: Any):
    """``open`` that creates the file 0600 (landing files hold personal data)."""
    return open(path, mode, opener=lambda p, flags: os.open(p, flags, FILE_MODE), **kw)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) 0700; tighten it if it exists."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path


def new_batch_id(source: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{source}-{stamp}-{uuid.uuid4().hex[:8]}"


@dataclass
class StreamSpec:
    """What the loader needs to know of a stream, independent of its source."""

    table: str  # raw.<table>
    columns: list[tuple[str, str]]  # typed key columns: (name, postgres type)
    primary_key: list[str]
    replication_key: str | None = None


@dataclass
class StreamResult:
    spec: StreamSpec
    file: str
    rejects_file: str
    records: int = 0
    rejected: int = 0
    pages: int = 0
    watermark: str | None = None
    full_refresh: bool = False
    cleaned: int = 0  # records whose text was cleaned (NUL, control characters, invalid UTF-8)
    nulled: int = 0  # records kept with an invalid field set to null (the reason is quarantined)
    # Completeness evidence. ``expected``: how many records the source said the
    # listing holds (None: it does not say); ``received``: how many arrived (valid
    # or rejected); ``complete``: True when every page arrived and the counts agree,
    # False when they did not, None when nobody attested (a full refresh then deletes nothing).
    expected: int | None = None
    received: int | None = None
    complete: bool | None = None
    problems: list[str] = field(default_factory=list)


class _StreamFile:
    def __init__(self, folder: Path, name: str, spec: StreamSpec, full_refresh: bool):
        self.result = StreamResult(spec, f"{name}.csv", f"{name}.rejects.jsonl", full_refresh=full_refresh)
        self._fh = private_open(folder / self.result.file, "w", newline="", encoding="utf-8")
        self._rej = private_open(folder / self.result.rejects_file, "w", encoding="utf-8")
        self._csv = csv.writer(self._fh)
        self._csv.writerow([c for c, _ in spec.columns] + ["_seq", "_request", RECORD_HASH, "record"])
        self._seq = 0

    def write(self, keys: list[Any], record: dict, request: str) -> None:
        self._seq += 1
        self.result.records += 1
        text = _json_text(record)
        changed = False
        if _maybe_dirty(text):  # rare: only then walk the record (clean() was most of a write's cost)
            record, changed = clean(record)
            if changed:
                text = _json_text(record)
        kchanged = False
        if any(isinstance(k, str) and not k.isprintable() for k in keys):
            keys, kchanged = clean(list(keys))
        self.result.cleaned += changed or kchanged
        fields = [_csv_value(v) for v in keys]
        fields += (self._seq, clean_text(request), record_hash(text), text)
        self._fh.write(",".join(map(_csv_field, fields)) + "\r\n")

    def reject(self, key: str, reason: str, record: Any, request: str, action: str = "rejected") -> None:
        """Quarantine ``record`` with ``reason``. ``action`` "nulled": the record was kept
        with the offending field set to null; "rejected": it was kept out of raw."""
        if action == "rejected":
            self.result.rejected += 1
        record, _ = clean(record)
        pk = None
        if isinstance(record, dict) and all(record.get(c) is not None for c in self.result.spec.primary_key):
            pk = [str(record[c]) for c in self.result.spec.primary_key]
        self._rej.write(
            json.dumps(
                {
                    "key": clean_text(key),
                    "reason": clean_text(reason),
                    "request": clean_text(request),
                    "action": action,
                    "pk": pk,
                    "record": record,
                },
                ensure_ascii=False,
            )
            + "\n"
        )

    def attest(
        self, *, complete: bool, expected: int | None = None, received: int | None = None, problems: Iterable[str] = ()
    ) -> None:
        """Record the completeness evidence of this stream's listing (see ``StreamResult``)."""
        problems = list(problems)
        if expected is not None and received is not None and expected != received:
            problems.append(f"the source lists {expected} records, {received} arrived")
        r = self.result
        r.expected, r.received = expected, received
        r.problems += problems
        r.complete = bool(complete and not r.problems) if r.complete is not False else False

    def close(self) -> None:
        self._fh.close()
        self._rej.close()


def _csv_field(v: Any) -> str:
    """One field as ``csv.writer`` (the excel dialect, minimal quoting) writes it: quoted when
    it holds a quote (doubled), a comma or a line break; the same bytes, without its per-character loop."""
    v = v if isinstance(v, str) else str(v)
    if '"' in v:
        return '"' + v.replace('"', '""') + '"'
    if "," in v or "\n" in v or "\r" in v:
        return '"' + v + '"'
    return v


def _csv_value(v: Any) -> Any:
    if v is None:
        return ""  # COPY csv: unquoted empty = NULL
    if isinstance(v, dt.datetime):
        return v.isoformat()
    return v


@dataclass
class Batch:
    root: Path
    source: str
    batch_id: str = ""
    window: dict[str, Any] = field(default_factory=dict)
    streams: dict[str, StreamResult] = field(default_factory=dict)
    requests: int = 0
    _files: dict[str, _StreamFile] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.batch_id = self.batch_id or new_batch_id(self.source)
        private_dir(Path(self.root) / self.source)
        private_dir(self.folder)

    @property
    def folder(self) -> Path:
        return Path(self.root) / self.source / self.batch_id

    def stream(self, name: str, spec: StreamSpec, full_refresh: bool = False) -> _StreamFile:
        if name not in self._files:
            self._files[name] = _StreamFile(self.folder, name, spec, full_refresh)
            self.streams[name] = self._files[name].result
        return self._files[name]

    def commit(self) -> Path:
        for f in self._files.values():
            f.close()
        manifest = {
            "source": self.source,
            "batch_id": self.batch_id,
            "window": self.window,
            "requests": self.requests,
            "streams": {n: _result_dict(r) for n, r in self.streams.items()},
        }
        tmp = self.folder / (MANIFEST + ".tmp")
        with private_open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(manifest, indent=2, default=str))
        os.replace(tmp, self.folder / MANIFEST)
        return self.folder / MANIFEST

    def abort(self) -> None:
        for f in self._files.values():
            f.close()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        """Commit when the block ends normally; abort (no manifest, nothing loadable) when it raises."""
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def window(since: dt.datetime | None, until: dt.datetime | None, **more: Any) -> dict[str, Any]:
    """A run's window as the manifest records it: ``since``, ``until``, then ``more``; dates and times as ISO text."""
    out = {"since": since, "until": until, **more}
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in out.items()}


def _result_dict(r: StreamResult) -> dict:
    d = asdict(r)
    d["spec"]["columns"] = [list(c) for c in r.spec.columns]
    return d


def prune(
    root: str | Path, source: str, keep_days: float, is_loaded: Callable[[str], bool], now: dt.datetime | None = None
) -> list[str]:
    """Delete ``source``'s batch folders older than ``keep_days`` that ``is_loaded``.

    A batch that was never loaded is kept whatever its age: it is the only copy of
    what the source sent. Returns the batch ids deleted.
    """
    folder = Path(root) / source
    if not folder.is_dir():
        return []
    cutoff = (now or dt.datetime.now(dt.UTC)).timestamp() - keep_days * 86400
    deleted = []
    for batch in sorted(folder.iterdir()):
        if batch.is_dir() and batch.stat().st_mtime < cutoff and is_loaded(batch.name):
            shutil.rmtree(batch)
            deleted.append(batch.name)
    if deleted:
        log.info("%s: deleted %d landing batches loaded more than %g days ago", source, len(deleted), keep_days)
    return deleted


def read_manifest(path: str | Path) -> dict:
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{path}: no manifest; the extract did not finish, so nothing is loaded")
    m = json.loads(path.read_text())
    m["folder"] = str(path.parent)
    return m
