"""Avaya call center (phone 150420) extractor: CMS interval exports and CM CDR files.

Reads a landing folder (local path, or SFTP) where the nightly CMS export job
writes ``cms/hsplit_YYYYMMDD.csv`` / ``cms/hagent_YYYYMMDD.csv`` and the CDR
collector writes ``cdr/cdr_YYYYMMDD.txt``. Each file is loaded once: its sha256
is recorded in ``raw.avaya__files``, an unchanged file is skipped, a changed file
is a new version whose rows replace the old ones.

Runs outside Airflow: ``python -m extractors run avaya`` (the folder from connection ``avaya_files``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.avaya.folders import LandingFolder, LocalFolder, SftpFolder
from extractors.avaya.streams import FILE_STREAMS, STREAMS, ExtractOptions, FileCounts, extract
from extractors.common.batch import Batch, window

log = logging.getLogger(__name__)

SOURCE = "avaya"
CONN_ID = "avaya_files"


@dataclass
class AvayaConfig:
    folder: LandingFolder
    options: ExtractOptions = field(default_factory=ExtractOptions)

    @classmethod
    def from_connection(cls, conn: Any) -> AvayaConfig:
        """From an Airflow connection.

        * ``conn_type`` ``fs`` (or anything but sftp): extra ``path`` = the local folder;
        * ``conn_type`` ``sftp``: host, port, login, password (or extra ``key_file``), extra ``path`` = remote root.

        Optional extras: ``hsplit_glob``, ``hagent_glob``, ``cdr_glob`` (patterns under the root),
        ``cms_date_format`` (strptime, default ``%Y-%m-%d``).
        """
        extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
        options = ExtractOptions(cms_date_format=extra.get("cms_date_format", "%Y-%m-%d"))
        for s in FILE_STREAMS:
            if extra.get(f"{s.name}_glob"):
                options.patterns[s.name] = extra[f"{s.name}_glob"]
        if (conn.conn_type or "").lower() == "sftp":
            folder: LandingFolder = SftpFolder(
                host=conn.host,
                port=int(conn.port or 22),
                username=conn.login,
                password=conn.password,
                key_file=extra.get("key_file"),
                root=extra.get("path") or conn.schema or ".",
            )
        else:
            path = extra.get("path") or conn.host
            if not path:
                raise ValueError(f"avaya: connection {getattr(conn, 'conn_id', CONN_ID)} has no extra 'path'")
            folder = LocalFolder(Path(path))
        return cls(folder, options)


def loaded_files(conn) -> dict[str, str]:
    """file name -> sha256 of the version in ``raw.avaya__files`` ({} before the first load)."""
    with conn.transaction():  # a short read-only transaction of its own, closed before any load
        if conn.execute("select to_regclass('raw.avaya__files')").fetchone()[0] is None:
            return {}
        return dict(conn.execute("select file_name, record ->> 'sha256' from raw.avaya__files").fetchall())


def run_extract(
    config: AvayaConfig,
    landing_dir: str | Path,
    loaded: dict[str, str] | None = None,
    full_refresh: bool = False,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    batch_id: str | None = None,
) -> Batch:
    """Extract every new or changed file into a committed batch.

    ``loaded`` (from ``loaded_files``) is what the warehouse already holds;
    ``full_refresh`` reads every file present again (rows of files no longer in
    the folder stay: the export folder keeps a limited history, the warehouse is
    the archive). ``since``/``until`` (the run's data interval) are recorded only:
    what is new is decided by the files, not by the clock.
    """
    known = {} if full_refresh else dict(loaded or {})
    with Batch(landing_dir, SOURCE, batch_id or "") as batch:
        try:
            counts: FileCounts = extract(config.folder, batch, known, config.options)
        finally:
            config.folder.close()
        batch.window = window(
            since,
            until,
            full_refresh=full_refresh,
            files_read=counts.read,
            files_skipped=counts.skipped,
            folder=repr(config.folder),
        )
    log.info("avaya: %d files read, %d already loaded and unchanged", counts.read, counts.skipped)
    return batch


__all__ = ["CONN_ID", "SOURCE", "STREAMS", "AvayaConfig", "loaded_files", "run_extract"]
