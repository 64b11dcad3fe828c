"""CMS interval exports: ``hsplit`` (split/skill) and ``hagent`` (agent) rows as CSV.

The nightly CMS export job (an Informix ``unload`` of the historical interval
tables, or a scheduled CMS Supervisor report saved as CSV) writes one file per
table and day with a header row naming the CMS columns. The columns below are
required; any further column is kept in the raw record as text. Times are the
ACD's local time (``row_date``, ``starttime`` as hhmm, ``intrvl`` minutes); call
counts and durations (seconds) are recorded in the interval in which the call
completed, as CMS does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from extractors.avaya.errors import FileFormatError, LineError, TruncatedFileError

HSPLIT_COLUMNS = (
    "row_date",
    "starttime",
    "intrvl",
    "acd",
    "split",
    "callsoffered",
    "acdcalls",
    "anstime",
    "acdtime",
    "acwtime",
    "abncalls",
    "abntime",
    "holdcalls",
    "transferred",
    "acceptable",
    "servicelevel",
    "i_stafftime",
)
HAGENT_COLUMNS = (
    "row_date",
    "starttime",
    "intrvl",
    "acd",
    "split",
    "logid",
    "agent_name",
    "acdcalls",
    "ringtime",
    "acdtime",
    "acwtime",
    "holdcalls",
    "holdtime",
    "transferred",
    "ti_stafftime",
    "ti_availtime",
    "ti_auxtime",
)
TEXT_COLUMNS = {"row_date", "logid", "agent_name"}


def _starttime(text: str) -> int:
    t = text.strip().replace(":", "")
    if not t.isdigit():
        raise ValueError(t)
    return int(t)


def read_file(
    name: str, data: bytes, kind: str, columns: tuple[str, ...], date_format: str = "%Y-%m-%d"
) -> Iterator[tuple[int, str, dict | None, str | None]]:
    """``(line_no, raw line, record or None, reason or None)`` for every data row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if text and not text.endswith("\n"):
        raise TruncatedFileError(
            f"avaya: {name}: truncated: the last row has no line end; the export was cut short or is still being written"
        )
    raw_lines = text.splitlines()
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise TruncatedFileError(f"avaya: {name}: empty file: no header row") from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise FileFormatError(f"avaya: {name}: not a CMS {kind} export: missing columns {', '.join(missing)}")
    for row in reader:
        no = reader.line_num
        raw = raw_lines[no - 1] if no - 1 < len(raw_lines) else ",".join(row)
        if not row or all(not c.strip() for c in row):
            continue
        try:
            yield no, raw, _record(row, header, columns, date_format), None
        except LineError as exc:
            yield no, raw, None, str(exc)


def _record(row: list[str], header: list[str], columns: tuple[str, ...], date_format: str) -> dict:
    if len(row) != len(header):
        raise LineError(f"row has {len(row)} fields, the header has {len(header)}")
    values = dict(zip(header, (c.strip() for c in row), strict=False))
    record: dict = {}
    for col, value in values.items():
        if col not in columns:
            record[col] = value or None
        elif col == "row_date":
            try:
                record[col] = dt.datetime.strptime(value, date_format).date().isoformat()
            except ValueError:
                raise LineError(f"row_date {value!r} is not a date as {date_format}") from None
        elif col == "starttime":
            try:
                record[col] = _starttime(value)
            except ValueError:
                raise LineError(f"starttime {value!r} is not hhmm") from None
        elif col in TEXT_COLUMNS:
            record[col] = value or None
        else:
            try:
                record[col] = int(value)
            except ValueError:
                raise LineError(f"{col} {value!r} is not an integer") from None
    return record


def write_file(rows: list[dict], columns: tuple[str, ...]) -> bytes:
    """A CSV export from rows (used by the stand-in and tests)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
    return buf.getvalue().encode("utf-8")
