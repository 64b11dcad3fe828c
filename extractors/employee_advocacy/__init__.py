"""Employee advocacy DJPK: the programme platform's CSV exports in a drop folder.

Runs outside Airflow through the CLI: ``python -m extractors run employee_advocacy [--load]``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.common.batch import Batch
from extractors.employee_advocacy.streams import STREAMS, ExtractReport, extract, loaded_files

log = logging.getLogger(__name__)

SOURCE = "employee_advocacy"
CONN_ID = "employee_advocacy_folder"


@dataclass
class EmployeeAdvocacyConfig:
    folder: Path  # where the secretariat drops the exports (a mounted share)
    nip_key: bytes  # the key of the NIP's HMAC-SHA256; never logged

    def __repr__(self) -> str:  # never print the key
        return f"EmployeeAdvocacyConfig(folder={str(self.folder)!r}, nip_key=***)"

    @classmethod
    def from_connection(cls, conn: Any) -> EmployeeAdvocacyConfig:
        """An Airflow ``fs`` connection: extra ``path`` (or host) = the folder; the
        connection's password (or extra ``nip_key``) = the NIP hash key."""
        extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
        folder = extra.get("path") or getattr(conn, "host", None)
        if not folder:
            raise ValueError(f"employee_advocacy: connection {CONN_ID} has no extra 'path' (the export folder)")
        key = getattr(conn, "password", None) or extra.get("nip_key")
        if not key:
            raise ValueError(
                f"employee_advocacy: connection {CONN_ID} has no password (the NIP hash key); "
                "the NIP is never landed unhashed"
            )
        return cls(Path(folder), str(key).encode())


def run_extract(
    config: EmployeeAdvocacyConfig,
    landing_dir: str | Path,
    full_refresh: bool = True,
    batch_id: str | None = None,
    loaded: dict[str, tuple[str, str, str]] | None = None,
) -> tuple[Batch, ExtractReport]:
    """Read the exports and reference files of ``config.folder`` into a committed batch: every
    stream on a full refresh; otherwise the streams whose files changed since ``loaded``."""
    if not config.folder.is_dir():
        raise FileNotFoundError(f"employee_advocacy: export folder {config.folder} does not exist")
    with Batch(landing_dir, SOURCE, batch_id or "") as batch:
        batch.window = {"folder": str(config.folder), "full_refresh": full_refresh}
        report = extract(config.folder, batch, config.nip_key, full_refresh, loaded)
        batch.window.update(
            files={k: len(v) for k, v in report.files.items()}, unreadable=report.unreadable, unchanged=report.skipped
        )
    log.info(
        "employee_advocacy: files %s; streams unchanged (not read): %s; unreadable: %s",
        {k: len(v) for k, v in report.files.items()},
        report.skipped or "none",
        report.unreadable or "none",
    )
    return batch, report


__all__ = ["CONN_ID", "SOURCE", "STREAMS", "EmployeeAdvocacyConfig", "loaded_files", "run_extract"]
