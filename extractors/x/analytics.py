"""The X analytics CSV export: profile visits, one row per day.

Profile visits are not in the X API v2. The social media team exports the
account overview from analytics.x.com (Analytics > Account overview > Export,
"by day") and drops the CSV into the folder configured as ``analytics_dir``. The
export has one row per day: ``Date`` (e.g. ``Fri, Dec 1, 2023``), ``Impressions``,
``Likes``, ``Engagements``, ``Bookmarks``, ``Shares``, ``New follows``,
``Unfollows``, ``Replies``, ``Reposts``, ``Profile visits``, ``Create Post``,
``Video views``, ``Media views``. Only ``Date`` and ``Profile visits`` are
required; every column is kept (snake_cased). Exports overlap (a mid-month
export, then the whole month): files are read oldest first (modification time,
then name), so for a day the newest export wins when the loader merges.
Dates are the account's local days (Asia/Jakarta, where the team exports).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DATE_FORMATS = ("%a, %b %d, %Y", "%Y-%m-%d", "%b %d, %Y", "%m/%d/%Y", "%d/%m/%Y")
REQUIRED = ("date", "profile_visits")


def snake(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def parse_day(value: str) -> dt.date:
    v = value.strip().strip('"')
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {value!r} (expected e.g. 'Fri, Dec 1, 2023' or 2023-12-01)")


def _number(value: str) -> Any:
    v = value.strip().replace(",", "")
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    if re.fullmatch(r"-?\d+\.\d+", v):
        return float(v)
    return value.strip()


def export_files(folder: Path) -> list[Path]:
    """CSV exports in ``folder``, oldest first (modification time, then name)."""
    return sorted((p for p in folder.glob("*.csv") if p.is_file()), key=lambda p: (p.stat().st_mtime, p.name))


def read_export(path: Path, username: str) -> Iterator[tuple[dict[str, Any], str | None]]:
    """``(record, problem)`` per data row; ``problem`` is None for a good row."""
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat()
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            yield {"source_file": path.name}, "empty file: no header row"
            return
        columns = [snake(h) for h in header]
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            yield {"source_file": path.name, "header": header}, f"not an X account overview export: no {missing} column"
            return
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            raw = dict(zip(columns, row, strict=False))
            record: dict[str, Any] = {k: _number(v) for k, v in raw.items() if k != "date"}
            record.update(
                username=username,
                source_file=path.name,
                source_line=line_no,
                file_modified_at=modified,
                date_text=raw.get("date"),
            )
            try:
                record["date"] = parse_day(raw.get("date", "")).isoformat()
            except ValueError as exc:
                yield record, str(exc)
                continue
            yield record, None
