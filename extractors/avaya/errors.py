"""Errors of the Avaya file extractor: a whole file is unusable (line errors are quarantined)."""

from __future__ import annotations

from extractors.common.http import SourceError


class FileFormatError(SourceError):
    """A landing file cannot be read as its kind (e.g. a CMS export without its columns)."""


class TruncatedFileError(FileFormatError):
    """A file ends mid-record or lacks its trailer: cut short in transfer, or still being written."""


class LineError(ValueError):
    """One record of a file is malformed; it is quarantined and the rest of the file loads."""
