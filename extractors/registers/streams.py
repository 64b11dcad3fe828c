"""One stream per staff register, plus ``workbooks`` (one record per workbook file).

Keys: register rows are keyed by where they sit, ``(workbook, sheet, sheet_row)``
(the file name, the sheet's name, the row number Excel shows); ``workbooks`` by
the file name. A file is identified by its name; its content by its sha256.

Which file is which register: a case-insensitive glob on the file name
(``RegisterStream.patterns``, overridable per register in the connection's extra).

What is read:

* a workbook whose sha256 is already loaded under its name is not read again;
* a file with the same content as another (a copy: "... - Copy.xlsx") is
  recorded as ``duplicate_of`` that file and none of its rows are loaded;
* when a workbook is new or changed, its register's stream is rebuilt from every
  workbook of that register in the folder, as a full refresh of that stream: in
  one transaction the loader merges the rows (unchanged rows stay untouched) and
  deletes the rows the corrected workbook no longer has. That is "replace the
  rows of this workbook" with the loader as it is (docs/sources/registers.md,
  "Decisions"). If a workbook of that register cannot be opened, the stream is
  merged without deletions, so a broken upload never wipes loaded rows;
* ``full_refresh`` reads every workbook and reconciles every stream.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from extractors.common.batch import Batch
from extractors.common.streams import Stream, write_record
from extractors.registers import models
from extractors.registers.dates import parse_sheet_month
from extractors.registers.workbook import Column, json_safe, read_sheet

log = logging.getLogger(__name__)

DATE = Column(
    "date", ("tanggal", "tgl", "tgl.", "hari/tanggal", "hari, tanggal", "tanggal kegiatan", "tanggal pelaksanaan")
)
REGION = Column("region", ("daerah", "pemda", "nama pemda", "asal daerah", "instansi", "asal instansi", "nama daerah"))
TOPIC = Column("topic", ("topik", "materi", "pokok bahasan", "topik konsultasi", "perihal"))


class RegisterStream(Stream):
    source: ClassVar[str] = "registers"
    primary_key: ClassVar[tuple[str, ...]] = ("workbook", "sheet", "sheet_row")
    replication_key: ClassVar[str | None] = None
    patterns: ClassVar[tuple[str, ...]]
    columns: ClassVar[tuple[Column, ...]]

    @classmethod
    def describe(cls, record: Any) -> str:
        if isinstance(record, dict):
            return f"workbook={record.get('workbook')!r}, sheet={record.get('sheet')!r}, row={record.get('sheet_row')}"
        return repr(record)[:80]


class VideoConferencesStream(RegisterStream):
    name = "video_conferences"
    path = patterns = ("*video conference*.xlsx", "*vicon*.xlsx", "*video konferensi*.xlsx")
    schema = models.VideoConference
    columns = (DATE, REGION, TOPIC)


class FaceToFaceStream(RegisterStream):
    name = "face_to_face_consultations"
    path = patterns = ("*tatap muka*.xlsx",)
    schema = models.FaceToFaceConsultation
    columns = (
        DATE,
        REGION,
        TOPIC,
        Column("guests", ("jumlah tamu", "jml tamu", "jml. tamu", "tamu", "jumlah peserta", "peserta")),
    )


class WebinarsStream(RegisterStream):
    name = "webinars"
    path = patterns = ("*webinar*.xlsx", "*fgd*.xlsx", "*sosialisasi*.xlsx")
    schema = models.Webinar
    columns = (
        DATE,
        Column("title", ("judul", "nama kegiatan", "kegiatan", "acara", "judul kegiatan", "tema")),
        Column("kind", ("jenis", "jenis kegiatan", "bentuk"), required=False),
    )


class PpidRequestsStream(RegisterStream):
    name = "ppid_requests"
    path = patterns = ("*ppid*.xlsx", "*permohonan data*.xlsx", "*permohonan informasi*.xlsx")
    schema = models.PpidRequest
    columns = (
        Column("date", ("tanggal", "tanggal permohonan", "tgl permohonan", "tgl")),
        Column("requester", ("pemohon nama", "nama pemohon", "pemohon", "nama")),
        Column("institution", ("pemohon instansi", "instansi", "asal instansi", "lembaga"), required=False),
        Column(
            "data_requested",
            ("data yang diminta", "informasi yang diminta", "data/informasi yang diminta", "rincian data", "data"),
        ),
        Column("status", ("status", "keterangan", "status permohonan"), required=False),
    )


class ComplaintsStream(RegisterStream):
    name = "complaints"
    path = patterns = ("*pengaduan*.xlsx", "*keluhan*.xlsx")
    schema = models.Complaint
    columns = (
        Column("date", ("tanggal", "tgl"), required=False),
        Column("kind", ("jenis", "kategori", "jenis pengaduan")),
        Column("description", ("uraian", "keterangan", "deskripsi", "isi pengaduan", "uraian pengaduan", "rincian")),
    )


class VillageFollowersStream(RegisterStream):
    name = "instagram_village_followers"
    path = patterns = ("*akun desa*.xlsx", "*desa*instagram*.xlsx", "*instagram*desa*.xlsx")
    schema = models.VillageFollower
    columns = (
        Column("date", ("tanggal", "tanggal diketahui", "tgl diketahui", "tanggal mengikuti", "tgl")),
        Column("account", ("akun", "akun instagram", "username", "nama akun")),
        Column("village", ("desa", "nama desa", "desa/kelurahan", "pemerintah desa")),
    )


class WorkbookFile(BaseModel):
    workbook: str
    register_kind: str | None  # the register stream the file name matched
    sha256: str
    size_bytes: int
    year: int | None = None
    duplicate_of: str | None = None
    sheets: list[dict[str, Any]] = []  # month sheets read: sheet, month, header_row, rows, rejected, ...
    ignored_sheets: list[str] = []  # sheets not named after a month ("Rekap", "Grafik")
    rows: int = 0
    rejected: int = 0


class WorkbooksStream(Stream):
    source: ClassVar[str] = "registers"
    name = "workbooks"
    path = "*.xlsx"
    primary_key = ("workbook",)
    schema = WorkbookFile

    @classmethod
    def describe(cls, record: Any) -> str:
        if isinstance(record, dict):
            return f"workbook={record.get('workbook')!r}" + (
                f", sheet={record['sheet']!r}" if record.get("sheet") else ""
            )
        return repr(record)[:80]


REGISTERS: tuple[type[RegisterStream], ...] = (
    VideoConferencesStream,
    FaceToFaceStream,
    WebinarsStream,
    PpidRequestsStream,
    ComplaintsStream,
    VillageFollowersStream,
)
STREAMS: tuple[type[Stream], ...] = (*REGISTERS, WorkbooksStream)
BY_NAME = {s.name: s for s in REGISTERS}


@dataclass
class FileInfo:
    path: Path
    sha256: str
    size: int
    register: type[RegisterStream] | None
    year: int | None
    changed: bool = False
    duplicate_of: str | None = None


@dataclass
class Parsed:
    """One workbook read into memory: its records per stream and its sheet-level problems."""

    info: FileInfo
    records: list[tuple[dict, str, str | None]] = field(default_factory=list)  # (record, request, reject reason)
    sheets: list[dict[str, Any]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    sheet_rejects: list[tuple[str, str]] = field(default_factory=list)  # (sheet, reason)
    error: str | None = None  # the file could not be opened


@dataclass
class ExtractReport:
    read: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # same content already loaded
    duplicates: dict[str, str] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)
    refreshed: list[str] = field(default_factory=list)  # register streams rebuilt


_COPY = re.compile(
    r"copy|salinan|\(\d+\)", re.IGNORECASE
)  # "... - Copy.xlsx", "... (1).xlsx": the copy, not the original


def register_for(name: str, patterns: dict[str, tuple[str, ...]] | None = None) -> type[RegisterStream] | None:
    lower = name.lower()
    for stream in REGISTERS:
        pats = (patterns or {}).get(stream.name) or stream.patterns
        if any(fnmatch.fnmatch(lower, p.lower()) for p in pats):
            return stream
    return None


def _year(name: str) -> int | None:
    m = re.search(r"(?<!\d)(20\d\d)(?!\d)", name)
    return int(m[1]) if m else None


def scan(folder: Path, patterns: dict[str, tuple[str, ...]] | None = None) -> list[FileInfo]:
    files = []
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.name.startswith(("~$", ".")):  # Excel's lock files, hidden files
            continue
        data = p.read_bytes()
        files.append(
            FileInfo(p, hashlib.sha256(data).hexdigest(), len(data), register_for(p.name, patterns), _year(p.name))
        )
    return files


def parse_workbook(info: FileInfo) -> Parsed:
    import openpyxl

    out = Parsed(info)
    stream = info.register
    assert stream is not None
    name = info.path.name
    try:
        wb = openpyxl.load_workbook(io.BytesIO(info.path.read_bytes()), data_only=True)
    except Exception as exc:  # a corrupt or password-protected file: report it, read the rest
        out.error = f"cannot open the workbook: {type(exc).__name__}: {exc}"
        return out
    seen: dict[Any, str] = {}
    for ws in wb.worksheets:
        month = parse_sheet_month(ws.title, info.year)
        if month is None:
            out.ignored.append(ws.title)
            continue
        if info.year and month.year != info.year:
            out.sheet_rejects.append(
                (ws.title, f"sheet is named after {month:%Y-%m}, but the workbook is for {info.year}")
            )
            continue
        if month in seen:
            out.sheet_rejects.append((ws.title, f"a second sheet for {month:%Y-%m} (first: {seen[month]!r}); not read"))
            continue
        seen[month] = ws.title
        sheet = read_sheet(ws, stream.columns)
        if sheet.problem:
            out.sheet_rejects.append((ws.title, sheet.problem))
            continue
        valid = rejected = 0
        for row in sheet.rows:
            record = {
                "workbook": name,
                "sheet": ws.title,
                "sheet_row": row.sheet_row,
                "sheet_month": month.isoformat(),
                "cells": row.cells,
                **{k: json_safe(v) for k, v in row.values.items()},
            }
            request = f"{name} [sha256 {info.sha256[:12]}] {ws.title}!{row.sheet_row}"
            reason = (
                f"below the total row (row {sheet.total_row}): not counted; move it above the total"
                if row.below_total
                else None
            )
            if reason is None:
                try:
                    stream.schema.model_validate(record)
                except ValidationError:
                    reason = "invalid"  # write_record states the reasons
            out.records.append((record, request, reason))
            valid += reason is None
            rejected += reason is not None
        out.sheets.append(
            {
                "sheet": ws.title,
                "month": f"{month:%Y-%m}",
                "header_row": sheet.header_row,
                "rows": valid,
                "rejected": rejected,
                "blank_rows": sheet.blank_rows,
                "note_rows": sheet.note_rows,
                "total_row": sheet.total_row,
            }
        )
    return out


def extract(
    folder: Path,
    batch: Batch,
    loaded: dict[str, tuple[str, str | None]] | None = None,
    full_refresh: bool = False,
    patterns: dict[str, tuple[str, ...]] | None = None,
) -> ExtractReport:
    """Fill ``batch`` from the workbooks in ``folder``.

    ``loaded`` is what the warehouse already holds: workbook name -> (sha256,
    duplicate_of), from ``raw.registers__workbooks`` (see ``loaded_workbooks``).
    """
    loaded = {} if full_refresh else (loaded or {})
    report = ExtractReport()
    files = scan(folder, patterns)
    by_sha: dict[str, list[FileInfo]] = defaultdict(list)
    for f in files:
        by_sha[f.sha256].append(f)
    for group in by_sha.values():
        names = [f.path.name for f in group]
        keep = next(
            (n for n in names if loaded.get(n, ("", "x"))[0] == group[0].sha256 and loaded[n][1] is None),
            min(names, key=lambda n: (bool(_COPY.search(n)), len(n), n)),
        )
        for f in group:
            f.duplicate_of = None if f.path.name == keep else keep
    for f in files:
        known = loaded.get(f.path.name)
        f.changed = known is None or known != (f.sha256, f.duplicate_of)
        (report.skipped if not f.changed else report.read).append(f.path.name)

    workbooks = batch.stream(WorkbooksStream.name, WorkbooksStream.spec(), full_refresh)
    workbooks.attest(complete=True)  # the folder was scanned whole
    refresh = (
        sorted(
            {
                f.register.name
                for f in files
                if f.changed and f.register and f.duplicate_of is None and f.path.suffix.lower() == ".xlsx"
            }
        )
        if not full_refresh
        else [s.name for s in REGISTERS]
    )
    parsed: dict[str, Parsed] = {}
    for f in files:
        if f.register and f.duplicate_of is None and f.path.suffix.lower() == ".xlsx" and f.register.name in refresh:
            parsed[f.path.name] = parse_workbook(f)

    for stream_name in refresh:
        stream = BY_NAME[stream_name]
        members = [p for p in parsed.values() if p.info.register is stream]
        complete = all(p.error is None for p in members)
        if not complete:
            log.warning("registers.%s: a workbook could not be opened; merging without deleting", stream_name)
        out = batch.stream(stream.name, stream.spec(), full_refresh=complete)
        # Every workbook of the register was read whole: the folder listing is the
        # manifest. (A folder that vanished or emptied is caught by the shrink bound.)
        out.attest(complete=True)
        for p in members:
            for record, request, reason in p.records:
                if reason is None:
                    model = stream.schema.model_validate(record)
                    write_record(batch, stream, model.model_dump(mode="json"), request, complete)
                elif p.info.changed:  # rejects of an unchanged workbook are in quarantine already
                    if reason == "invalid":
                        write_record(batch, stream, record, request, complete)
                    else:
                        out.reject(stream.describe(record), reason, record, request)
        report.refreshed.append(stream_name)

    for f in files:
        if not f.changed:
            continue
        name = f.path.name
        key = f"workbook={name!r}"
        request = f"{name} [sha256 {f.sha256[:12]}]"
        record: dict[str, Any] = {
            "workbook": name,
            "register_kind": f.register.name if f.register else None,
            "sha256": f.sha256,
            "size_bytes": f.size,
            "year": f.year,
            "duplicate_of": f.duplicate_of,
        }
        if f.path.suffix.lower() != ".xlsx":
            workbooks.reject(key, "not an .xlsx workbook: save it as Excel Workbook (.xlsx)", record, request)
            continue
        if f.register is None:
            workbooks.reject(key, "no register matches the file name", record, request)
            continue
        if f.duplicate_of:
            report.duplicates[name] = f.duplicate_of
            log.warning("registers: %s has the same content as %s; not loaded twice", name, f.duplicate_of)
        elif (p := parsed.get(name)) is not None:
            if p.error:
                report.unreadable[name] = p.error
                workbooks.reject(key, p.error, record, request)
                continue
            for sheet, reason in p.sheet_rejects:
                workbooks.reject(f"{key}, sheet={sheet!r}", reason, {**record, "sheet": sheet}, request)
            record.update(
                sheets=p.sheets,
                ignored_sheets=p.ignored,
                rows=sum(s["rows"] for s in p.sheets),
                rejected=sum(s["rejected"] for s in p.sheets),
            )
        write_record(batch, WorkbooksStream, record, request, full_refresh)
    return report


def loaded_workbooks(conn) -> dict[str, tuple[str, str | None]]:
    """What the warehouse holds: workbook -> (sha256, duplicate_of). Empty before the first load."""
    with conn.transaction():  # leaves no transaction open on the caller's connection
        if conn.execute("select to_regclass('raw.registers__workbooks')").fetchone()[0] is None:
            return {}
        rows = conn.execute(
            "select workbook, record ->> 'sha256', record ->> 'duplicate_of' from raw.registers__workbooks"
        )
        return {w: (sha, dup) for w, sha, dup in rows.fetchall()}
