"""Avaya streams: one class per landing-file kind, plus the file registry.

=================  ===================  ==================================================
stream             files (default)      primary key
=================  ===================  ==================================================
``hsplit``         cms/hsplit_*.csv     row_date, starttime, acd, split
``hagent``         cms/hagent_*.csv     row_date, starttime, acd, split, logid
``cdr``            cdr/cdr_*.txt        ucid, cond_code, call_date, call_time
``files``          (every file read)    file_name
=================  ===================  ==================================================

CDR key: CM writes several records per call under one UCID (the ring record G/H/I
and the call record 9/C/…; a 10-hour call adds a 4 record per period), so the key is
the UCID with the condition code and the minute the record ended. A record without
UCID (e.g. condition code 6) is keyed by ``nouid-`` and a hash of its raw text.

Every record carries ``source_file``, ``file_sha256`` and ``line_no``; the
``files`` stream records the version (sha256) of every file read, and staging
keeps only rows of each file's current version, so a corrected file replaces the
rows of the version before it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from extractors.avaya import cdr, cms, models
from extractors.avaya.folders import LandingFolder
from extractors.avaya.layout import CUSTOMIZED, CdrLayout
from extractors.common.batch import Batch
from extractors.common.streams import Stream, write_record

log = logging.getLogger(__name__)


class AvayaStream(Stream):
    source: ClassVar[str] = "avaya"

    @classmethod
    def describe(cls, record: Any) -> str:
        if isinstance(record, dict) and "source_file" in record:
            return f"{record.get('source_file')}:{record.get('line_no')}"
        return super().describe(record)


class FileStream(AvayaStream):
    """A stream read from landing files matching ``path`` (a glob under the root)."""

    @classmethod
    def read(
        cls, name: str, data: bytes, options: ExtractOptions
    ) -> Iterator[tuple[int, str, dict | None, str | None]]:
        raise NotImplementedError


class SplitIntervalsStream(FileStream):
    name = "hsplit"
    path = "cms/hsplit_*.csv"
    primary_key = ("row_date", "starttime", "acd", "split")
    schema = models.SplitInterval

    @classmethod
    def read(cls, name, data, options):
        return cms.read_file(name, data, "hsplit", cms.HSPLIT_COLUMNS, options.cms_date_format)


class AgentIntervalsStream(FileStream):
    name = "hagent"
    path = "cms/hagent_*.csv"
    primary_key = ("row_date", "starttime", "acd", "split", "logid")
    schema = models.AgentInterval

    @classmethod
    def read(cls, name, data, options):
        return cms.read_file(name, data, "hagent", cms.HAGENT_COLUMNS, options.cms_date_format)


class CdrStream(FileStream):
    name = "cdr"
    path = "cdr/cdr_*.txt"
    primary_key = ("ucid", "cond_code", "call_date", "call_time")
    schema = models.CdrRecord

    @classmethod
    def read(cls, name, data, options):
        return cdr.read_file(name, data, options.layout)


class FilesStream(AvayaStream):
    name = "files"
    path = ""
    primary_key = ("file_name",)
    schema = models.FileVersion


FILE_STREAMS: tuple[type[FileStream], ...] = (SplitIntervalsStream, AgentIntervalsStream, CdrStream)
STREAMS: tuple[type[AvayaStream], ...] = (*FILE_STREAMS, FilesStream)


@dataclass
class ExtractOptions:
    patterns: dict[str, str] = field(default_factory=lambda: {s.name: s.path for s in FILE_STREAMS})
    cms_date_format: str = "%Y-%m-%d"
    layout: CdrLayout = CUSTOMIZED


@dataclass
class FileCounts:
    read: int = 0
    skipped: int = 0
    names: list[str] = field(default_factory=list)


def extract(
    folder: LandingFolder,
    batch: Batch,
    loaded: dict[str, str],
    options: ExtractOptions | None = None,
    on_file: Callable[[str], None] | None = None,
) -> FileCounts:
    """Read every file not yet loaded in its current version into ``batch``.

    ``loaded`` maps file name -> sha256 of the version already in the warehouse;
    pass ``{}`` to read every file (a reconcile). A file whose bytes changed since
    is read again: a new version. Raises on a truncated or unreadable file.
    """
    options = options or ExtractOptions()
    counts = FileCounts()
    registry = batch.stream(FilesStream.name, FilesStream.spec())
    for stream in FILE_STREAMS:
        out = batch.stream(stream.name, stream.spec())  # present even when no file is new
        for name in folder.list(options.patterns[stream.name]):
            data = folder.read(name)
            sha = hashlib.sha256(data).hexdigest()
            if loaded.get(name) == sha:
                counts.skipped += 1
                continue
            if on_file:
                on_file(name)
            records = rejected = 0
            request = f"file {name} sha256:{sha[:12]}"
            for line_no, raw, record, reason in stream.read(name, data, options):
                where = f"{request} line {line_no}"
                if record is None:
                    out.reject(
                        f"{name}:{line_no}",
                        reason or "malformed",
                        {"source_file": name, "file_sha256": sha, "line_no": line_no, "raw_record": raw},
                        where,
                    )
                    log.error("avaya.%s %s line %d rejected: %s", stream.name, name, line_no, reason)
                    rejected += 1
                    continue
                record.update(source_file=name, file_sha256=sha, line_no=line_no)
                if write_record(batch, stream, record, where) is None:
                    rejected += 1
                else:
                    records += 1
            out.result.pages += 1  # one "page" per file
            version = {
                "file_name": name,
                "kind": stream.name,
                "sha256": sha,
                "size_bytes": len(data),
                "records": records,
                "rejected": rejected,
            }
            write_record(batch, FilesStream, version, request)
            counts.read += 1
            counts.names.append(name)
    registry.result.pages = counts.read
    return counts
