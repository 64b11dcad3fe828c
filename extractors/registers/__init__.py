"""Staff registers kept in Excel workbooks (one workbook per register per year,
one sheet per month) in a shared folder.

Runs outside Airflow: ``python -m extractors run registers [--full-refresh] [--load]``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.common.batch import Batch
from extractors.registers.streams import REGISTERS, STREAMS, ExtractReport, extract, loaded_workbooks

log = logging.getLogger(__name__)

SOURCE = "registers"
CONN_ID = "registers_folder"


@dataclass
class RegistersConfig:
    folder: Path  # where staff save the workbooks (a mounted share or a synced folder)
    patterns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # register -> file-name globs

    @classmethod
    def from_connection(cls, conn: Any) -> RegistersConfig:
        """An Airflow ``fs`` connection: extra ``path`` (or host) = the folder; extra ``patterns`` optional."""
        extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
        folder = extra.get("path") or conn.host
        if not folder:
            raise ValueError(f"registers: connection {CONN_ID} has no extra 'path' (the workbook folder)")
        patterns = {k: tuple([v] if isinstance(v, str) else v) for k, v in (extra.get("patterns") or {}).items()}
        unknown = set(patterns) - {s.name for s in REGISTERS}
        if unknown:
            raise ValueError(f"registers: unknown register(s) in extra 'patterns': {sorted(unknown)}")
        return cls(Path(folder), patterns)


def run_extract(
    config: RegistersConfig,
    landing_dir: str | Path,
    loaded: dict[str, tuple[str, str | None]] | None = None,
    full_refresh: bool = False,
    batch_id: str | None = None,
) -> tuple[Batch, ExtractReport]:
    """Read the new and changed workbooks of ``config.folder`` into a committed batch."""
    if not config.folder.is_dir():
        raise FileNotFoundError(f"registers: workbook folder {config.folder} does not exist")
    with Batch(landing_dir, SOURCE, batch_id or "") as batch:
        batch.window = {"folder": str(config.folder), "full_refresh": full_refresh}
        report = extract(config.folder, batch, loaded, full_refresh, config.patterns)
        batch.window.update(
            read=report.read,
            skipped=report.skipped,
            duplicates=report.duplicates,
            unreadable=report.unreadable,
            refreshed=report.refreshed,
        )
    log.info(
        "registers: %d workbooks read, %d already loaded, %d duplicates; streams rebuilt: %s",
        len(report.read),
        len(report.skipped),
        len(report.duplicates),
        ", ".join(report.refreshed) or "none",
    )
    return batch, report


__all__ = ["CONN_ID", "SOURCE", "STREAMS", "RegistersConfig", "loaded_workbooks", "run_extract"]
