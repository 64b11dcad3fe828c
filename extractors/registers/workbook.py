"""Reading one register sheet as staff keep it.

A sheet looks like this (any of it may be missing)::

    REGISTER KONSULTASI TATAP MUKA DJPK          <- title rows, merged across the table
    Bulan Desember 2023
                                                 <- blank
    No | Tanggal | Daerah | Topik | Jumlah Tamu  <- the header (maybe two rows, merged)
    1  | 4 Desember 2023 | Prov. Papua (DPRD) | Otsus | 5
       | (merged date)   | ...                                   <- same date, merged down
                                                 <- blank rows, pre-numbered empty rows
    Jumlah                               | 30    <- the total row ends the table
    Jakarta, 29 Desember 2023 / Mengetahui ...   <- signature block: ignored

``read_sheet`` finds the header by its labels (``Column.labels``, matched on
lower-cased text, exact before prefix), fills merged cells with their top-left
value, skips blank rows, note rows (one merged cell across the row, e.g. "NIHIL")
and everything from the total row ("Jumlah", "Total") down. A row below the total
that still looks like data (a date and something else) is returned as
``below_total`` so it is rejected, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

HEADER_SCAN_ROWS = 20
_TOTAL = re.compile(r"^(jumlah|total|grand total|sub ?total)\b")


@dataclass(frozen=True)
class Column:
    field: str
    labels: tuple[str, ...]  # lower-case header texts; a header equal to or starting with one matches
    required: bool = True  # the header is only recognised when every required column is there


@dataclass
class ParsedRow:
    sheet_row: int  # 1-based row number in the sheet, as Excel shows it
    values: dict[str, Any]  # field -> cell value (merged cells filled)
    cells: dict[str, Any]  # header label -> JSON-safe cell value, for lineage
    below_total: bool = False


@dataclass
class SheetRead:
    header_row: int | None = None
    labels: dict[str, str] = field(default_factory=dict)  # field -> header label it was read from
    rows: list[ParsedRow] = field(default_factory=list)
    blank_rows: int = 0
    note_rows: int = 0
    total_row: int | None = None
    problem: str | None = None  # why the sheet could not be read (no header)


def norm(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).replace("\u00a0", " ").replace("\n", " ")
    text = re.sub(r"[*:]+", " ", text)
    return " ".join(text.split()).strip().lower()


def json_safe(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _grid(ws) -> tuple[list[list[Any]], dict[tuple[int, int], tuple[int, int, int, int]]]:
    """Cell values (0-based) with merged ranges filled, and each merged cell's range."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        r.extend([None] * (width - len(r)))
    merged: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for rng in ws.merged_cells.ranges:
        top = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(rows) else None
        bounds = (rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1)
        for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
            for c in range(rng.min_col - 1, min(rng.max_col, width)):
                rows[r][c] = top
                merged[(r, c)] = bounds
    return rows, merged


def _match(labels: list[str], columns: tuple[Column, ...]) -> dict[str, int]:
    """field -> column index; exact label matches first, then the longest prefix."""
    candidates = []
    for idx, text in enumerate(labels):
        if not text:
            continue
        for col in columns:
            for label in col.labels:
                if text == label:
                    candidates.append((2, len(label), col.field, idx))
                elif text.startswith(label + " ") or text.startswith(label + "/") or text.startswith(label + "("):
                    candidates.append((1, len(label), col.field, idx))
    found: dict[str, int] = {}
    used: set[int] = set()
    for _, _, fld, idx in sorted(candidates, key=lambda c: (-c[0], -c[1], c[3])):
        if fld not in found and idx not in used:
            found[fld] = idx
            used.add(idx)
    return found


def read_sheet(ws, columns: tuple[Column, ...]) -> SheetRead:
    out = SheetRead()
    grid, merged = _grid(ws)
    required = {c.field for c in columns if c.required}
    header = None
    for r in range(min(HEADER_SCAN_ROWS, len(grid))):
        found = _match([norm(v) for v in grid[r]], columns)
        if required <= set(found):
            header = r
            break
    if header is None:
        expected = ", ".join(c.labels[0].title() for c in columns if c.required)
        out.problem = f"no header row in the first {HEADER_SCAN_ROWS} rows (expected columns {expected})"
        return out
    labels = [norm(v) for v in grid[header]]
    first_data = header + 1
    # A two-row header: a header cell merged down into the next row.
    if any(b[0] == header and b[2] > header for (r, _), b in merged.items() if r == header) and header + 1 < len(grid):
        below = [norm(v) for v in grid[header + 1]]
        labels = [f"{a} {b}".strip() if b and b != a else a for a, b in zip(labels, below, strict=False)]
        first_data = header + 2
    found = _match(labels, columns)
    out.header_row = header + 1
    out.labels = {f: labels[i] for f, i in found.items()}
    no_col = next((i for i, t in enumerate(labels) if t in {"no", "no.", "nomor", "nomor urut"}), None)
    total_cols = sorted({0, *([no_col] if no_col is not None else []), *([found["date"]] if "date" in found else [])})
    ended = False
    for r in range(first_data, len(grid)):
        row = grid[r]
        if not ended and any(_TOTAL.match(norm(row[c])) for c in total_cols if c < len(row)):
            out.total_row = r + 1
            ended = True
            continue
        values = {f: row[i] for f, i in found.items()}
        filled = {f: v for f, v in values.items() if norm(v)}
        spans = {merged.get((r, i)) for i, v in enumerate(row) if norm(v)}
        if len(spans) == 1 and None not in spans:
            b = next(iter(spans))
            if b[0] == b[2] == r and b[3] > b[1]:  # one merged cell across the row: a note ("NIHIL")
                out.note_rows += 1
                continue
        own = [f for f, i in found.items() if norm(row[i]) and merged.get((r, i), (r, i))[:2] == (r, i)]
        if not own:  # empty, or only the continuation of a cell merged down from above
            out.blank_rows += 1
            continue
        parsed = ParsedRow(r + 1, values, {out.labels[f]: json_safe(v) for f, v in values.items()})
        if ended:
            if "date" not in filled or len(filled) < 2 or not _looks_like_date(values["date"]):
                continue  # signature block, notes
            parsed.below_total = True
        out.rows.append(parsed)
    return out


def _looks_like_date(value: Any) -> bool:
    from extractors.registers.dates import parse_date

    try:
        parse_date(value, default_year=2000)
    except ValueError:
        return False
    return True
