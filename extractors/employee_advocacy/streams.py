"""Streams of the employee-advocacy exports, read from the programme's drop folder.

* ``participations``: every ``partisipasi*.csv`` (one row per employee action),
  keyed by the platform's submission id. A re-export repeats rows under the same
  ids (merged, not doubled); a late export of an old edition adds its late rows.
  The NIP is replaced by its keyed hash (HMAC-SHA256) here and never landed.
* ``editions``, ``targets``, ``headcount``: the reference files ``edisi*.csv``,
  ``target*.csv``, ``jumlah_pegawai*.csv``.

* ``files``: every file of the folder a stream reads, with its SHA-256, size and the
  fingerprint of the NIP hash key, as last read whole.

A stream is read whole (``full_refresh``): the folder listing is the listing, and a
stream whose every file was read to the end is attested complete (received = the rows
read); a file that cannot be read makes the stream incomplete, so nothing of it is
deleted. An incremental run skips a stream whose files are exactly those of the last
load (names, SHA-256, NIP key: ``loaded_files``); a stream with any new, changed or
vanished file, or read with another key, is read whole as in a full refresh. The
``files`` stream is written whole every run (the folder was scanned whole), without the
files of a stream that could not be read, so the next run reads that stream again.
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import hashlib
import hmac
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from extractors.common.batch import Batch
from extractors.common.streams import Stream, write_record
from extractors.employee_advocacy import models

log = logging.getLogger(__name__)
WIB = dt.timezone(dt.timedelta(hours=7))


class EmployeeAdvocacyStream(Stream):
    source: ClassVar[str] = "employee_advocacy"
    replication_key: ClassVar[str | None] = None
    patterns: ClassVar[tuple[str, ...]]
    columns: ClassVar[dict[str, tuple[str, ...]]]  # field -> header spellings (lower case)


class ParticipationsStream(EmployeeAdvocacyStream):
    name = "participations"
    path = "partisipasi*.csv"
    patterns = ("partisipasi*.csv", "participation*.csv")
    primary_key = ("submission_id",)
    schema = models.Participation
    columns = {
        "submission_id": ("id submisi", "id", "submission id"),
        "edition_id": ("kode edisi", "edisi", "edition"),
        "nip": ("nip", "nip pegawai"),
        "ue1": ("kode ue1", "ue1", "unit eselon i"),
        "unit": ("unit kerja", "unit"),
        "activation_type": ("jenis aktivasi", "aktivasi", "activation type"),
        "platform": ("platform", "media sosial"),
        "evidence_url": ("tautan bukti", "link bukti", "bukti"),
        "submitted_at": ("waktu submit", "timestamp", "submitted at"),
        "validation_status": ("status validasi", "status"),
    }


class EditionsStream(EmployeeAdvocacyStream):
    name = "editions"
    path = "edisi*.csv"
    patterns = ("edisi*.csv", "edition*.csv")
    primary_key = ("edition_id",)
    schema = models.Edition
    columns = {
        "edition_id": ("kode edisi", "edisi"),
        "title": ("judul", "judul edisi"),
        "publish_date": ("tanggal terbit", "tanggal"),
        "quarter": ("triwulan", "quarter"),
    }


class TargetsStream(EmployeeAdvocacyStream):
    name = "targets"
    path = "target*.csv"
    patterns = ("target*.csv",)
    primary_key = ("quarter", "ue1")
    schema = models.Target
    columns = {
        "quarter": ("triwulan", "quarter"),
        "ue1": ("kode ue1", "ue1"),
        "target_employees": ("target pegawai", "target"),
    }


class HeadcountStream(EmployeeAdvocacyStream):
    name = "headcount"
    path = "jumlah_pegawai*.csv"
    patterns = ("jumlah_pegawai*.csv", "headcount*.csv")
    primary_key = ("quarter", "ue1")
    schema = models.Headcount
    columns = {
        "quarter": ("triwulan", "quarter"),
        "ue1": ("kode ue1", "ue1"),
        "employees": ("jumlah pegawai", "pegawai", "employees"),
    }


class FilesStream(EmployeeAdvocacyStream):
    name = "files"
    path = "the folder listing"
    patterns = ()
    primary_key = ("file",)
    schema = models.ExportFile
    columns = {}


STREAMS: tuple[type[EmployeeAdvocacyStream], ...] = (
    ParticipationsStream,
    EditionsStream,
    TargetsStream,
    HeadcountStream,
)


@dataclass
class ExtractReport:
    files: dict[str, list[str]] = field(default_factory=dict)  # stream -> files of the folder
    unreadable: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # streams whose files are unchanged since the last load


def key_id(key: bytes) -> str:
    """A fingerprint of the NIP hash key (an HMAC of a constant: says nothing about the key)."""
    return hmac.new(key, b"djpk employee_advocacy key id", hashlib.sha256).hexdigest()[:16]


def loaded_files(conn) -> dict[str, tuple[str, str, str]]:
    """What the warehouse holds: file -> (stream, sha256, key_id). Empty before the first load."""
    with conn.transaction():  # leaves no transaction open on the caller's connection
        if conn.execute("select to_regclass('raw.employee_advocacy__files')").fetchone()[0] is None:
            return {}
        rows = conn.execute(
            "select file, record ->> 'stream', record ->> 'sha256', record ->> 'key_id' from raw.employee_advocacy__files"
        )
        return {f: (stream, sha, kid) for f, stream, sha, kid in rows.fetchall()}


def nip_hash(nip: str, key: bytes) -> str | None:
    """HMAC-SHA256 of the NIP's 18 digits (spaces and dots as printed on ID cards dropped)."""
    digits = re.sub(r"[\s.]", "", nip or "")
    if not re.fullmatch(r"\d{18}", digits):
        return None
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


def _timestamp(value: str) -> str:
    """``16/01/2023 17:35:44`` (WIB, as exported) -> ISO 8601 with +07:00; anything else as is."""
    text = (value or "").strip()
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=WIB).isoformat()
        except ValueError:
            continue
    return text


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    text = path.read_bytes().decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return [h.strip().lower() for h in rows[0]] if rows else [], rows[1:]


def _files(folder: Path, stream: type[EmployeeAdvocacyStream]) -> list[Path]:
    found = [
        p
        for p in folder.rglob("*.csv")
        if p.is_file() and any(fnmatch.fnmatch(p.name.lower(), pat) for pat in stream.patterns)
    ]
    return sorted(found, key=lambda p: (p.name, str(p)))


def extract(
    folder: Path,
    batch: Batch,
    nip_key: bytes,
    full_refresh: bool = True,
    loaded: dict[str, tuple[str, str, str]] | None = None,
) -> ExtractReport:
    """Fill ``batch`` from the exports in ``folder``; ``loaded`` is ``loaded_files`` (incremental runs)."""
    report = ExtractReport()
    kid = key_id(nip_key)
    listed: list[dict[str, Any]] = []
    for stream in STREAMS:
        files = _files(folder, stream)
        report.files[stream.name] = [str(p.relative_to(folder)) for p in files]
        current = {str(p.relative_to(folder)): _file_record(p, folder, stream, kid) for p in files}
        before = {f: v for f, v in (loaded or {}).items() if v[0] == stream.name}
        if not full_refresh and current and before == {f: (stream.name, r["sha256"], kid) for f, r in current.items()}:
            report.skipped.append(stream.name)
            listed.extend(current.values())
            log.info(
                "employee_advocacy.%s: its %d files are unchanged since the last load; not read",
                stream.name,
                len(files),
            )
            continue
        if _read_stream(folder, batch, stream, files, nip_key, report):
            listed.extend(current.values())
    out = batch.stream(FilesStream.name, FilesStream.spec(), full_refresh=True)
    out.attest(complete=True, expected=None, received=len(listed), problems=[])  # the folder was scanned whole
    for record in listed:
        write_record(batch, FilesStream, record, f"file {record['file']}", full_refresh=True)
    return report


def _file_record(path: Path, folder: Path, stream: type[EmployeeAdvocacyStream], kid: str) -> dict[str, Any]:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {
        "file": str(path.relative_to(folder)),
        "stream": stream.name,
        "sha256": h.hexdigest(),
        "size_bytes": path.stat().st_size,
        "key_id": kid,
    }


def _read_stream(
    folder: Path, batch: Batch, stream: type[EmployeeAdvocacyStream], files: list[Path], nip_key: bytes, report
) -> bool:
    """Read every file of ``stream`` whole into ``batch``; False when one could not be read."""
    out = batch.stream(stream.name, stream.spec(), full_refresh=True)
    received, problems = 0, []
    for path in files:
        rel = str(path.relative_to(folder))
        try:
            header, rows = _rows(path)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            problems.append(f"{rel}: unreadable ({type(exc).__name__})")
            report.unreadable.append(rel)
            log.warning("employee_advocacy: %s unreadable (%s)", rel, type(exc).__name__)
            continue
        where = {
            f: next((header.index(a) for a in aliases if a in header), None) for f, aliases in stream.columns.items()
        }
        missing = [f for f, i in where.items() if i is None and f not in ("unit", "evidence_url")]
        if missing:
            problems.append(f"{rel}: no column for {', '.join(missing)}")
            report.unreadable.append(rel)
            continue
        for n, row in enumerate(rows, start=2):
            if not any(c.strip() for c in row):
                continue
            received += 1
            cell = {f: (row[i].strip() if i is not None and i < len(row) else None) for f, i in where.items()}
            record = _record(stream, cell, rel, nip_key)
            write_record(batch, stream, record, f"file {rel} row {n}", full_refresh=True)
    out.attest(complete=not problems, expected=None, received=received, problems=problems)
    return not problems


def _record(stream: type[EmployeeAdvocacyStream], cell: dict[str, Any], rel: str, nip_key: bytes) -> dict:
    if stream is ParticipationsStream:
        nip = cell.pop("nip")
        return {
            "submission_id": cell["submission_id"],
            "edition_id": cell["edition_id"],
            "nip_hash": nip_hash(nip, nip_key),  # the raw NIP goes no further than this line
            "ue1": cell["ue1"],
            "unit": cell["unit"],
            "activation_type": cell["activation_type"],
            "platform": cell["platform"],
            "evidence_url": cell["evidence_url"] or None,
            "submitted_at": _timestamp(cell["submitted_at"]),
            "validation_status": cell["validation_status"],
            "export_file": rel,
        }
    return dict(cell)
