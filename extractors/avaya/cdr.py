"""Communication Manager CDR files: fixed-position records, one per line, CR LF ended.

A file from the CDR collector holds the records CM sent in one day, in the
layout of ``layout.CUSTOMIZED``, and is closed by the collector's trailer line
``#EOF records=<n>``. Two kinds of damage are told apart:

* a **malformed record** (wrong length, garbled separators, a date or duration
  that is not one, an unknown condition code) is rejected with the file, line
  number and reason, and the other records of the file load;
* a **truncated file** (the last record has no line end, the trailer is missing,
  or it announces another number of records) raises ``TruncatedFileError`` naming
  the file: nothing of that extract is committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator

from extractors.avaya.errors import LineError, TruncatedFileError
from extractors.avaya.layout import CONDITION_CODES, CUSTOMIZED, SPACE, CdrLayout

_TRAILER = re.compile(r"^records=(\d+)$")
_DATE_FORMATS = {"mmddyy": "%m%d%y", "ddmmyy": "%d%m%y"}


def parse_line(line: str, layout: CdrLayout = CUSTOMIZED) -> dict:
    """One record as a dict of typed values; ``LineError`` with the reason when malformed."""
    if len(line) != layout.width:
        raise LineError(
            f"record has {len(line)} characters, the {layout.name} layout has {layout.width} "
            "(truncated or garbled record)"
        )
    if not line.isascii() or not line.isprintable():
        raise LineError("record holds non-printable or non-ASCII characters (garbled record)")
    raw: dict[str, str] = {}
    for item, start, end in layout.slices():
        text = line[start:end]
        if item.name == SPACE:
            if text != " ":
                raise LineError(f"expected a space at column {start + 1}, found {text!r} (shifted record)")
            continue
        raw[item.name] = text

    date_text = raw.pop("date")
    try:
        call_date = dt.datetime.strptime(date_text, _DATE_FORMATS[layout.date_format]).date()
    except ValueError:
        raise LineError(f"date {date_text!r} is not {layout.date_format}") from None
    time_text = raw.pop("time")
    if not time_text.isdigit() or int(time_text[:2]) > 23 or int(time_text[2:]) > 59:
        raise LineError(f"time {time_text!r} is not hhmm")
    dur_text = raw.pop("sec_dur").strip()
    if not dur_text.isdigit():
        raise LineError(f"sec-dur {dur_text!r} is not a number of seconds")
    code = raw.pop("cond_code")
    if code not in CONDITION_CODES:
        raise LineError(f"unknown condition code {code!r}")
    ucid = raw.pop("ucid").strip()
    if ucid and not ucid.isdigit():
        raise LineError(f"ucid {ucid!r} is not digits")

    record: dict = {k: (v.strip() or None) for k, v in raw.items()}
    record.update(
        ucid=ucid or "nouid-" + hashlib.sha256(line.encode()).hexdigest()[:20],
        ucid_recorded=bool(ucid),
        cond_code=code,
        call_date=call_date.isoformat(),
        call_time=int(time_text),
        duration_seconds=int(dur_text),
        raw_record=line,
    )
    return record


def read_file(
    name: str, data: bytes, layout: CdrLayout = CUSTOMIZED
) -> Iterator[tuple[int, str, dict | None, str | None]]:
    """``(line_no, raw line, record or None, reason or None)`` for every record line.

    The whole file is checked first (line end, trailer, count), so a truncated
    file fails before a single record is yielded.
    """
    text = data.decode("latin-1")
    if not text.endswith("\n"):
        tail = text.rsplit("\n", 1)[-1]
        raise TruncatedFileError(
            f"avaya: {name}: truncated: the last record has no line end "
            f"({len(tail.rstrip(chr(13)))} characters after the last CR LF); the file was cut short or is still being written"
        )
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in text[:-1].split("\n")]
    trailer = lines.pop() if lines else ""
    if not trailer.startswith(layout.trailer_prefix):
        raise TruncatedFileError(
            f"avaya: {name}: truncated: no trailer line '{layout.trailer_prefix} records=<n>' at the end "
            f"({len(lines) + (1 if trailer else 0)} lines); the collector did not close this file"
        )
    m = _TRAILER.match(trailer[len(layout.trailer_prefix) :].strip())
    if not m:
        raise TruncatedFileError(f"avaya: {name}: unreadable trailer {trailer!r}")
    if int(m.group(1)) != len(lines):
        raise TruncatedFileError(
            f"avaya: {name}: truncated: the trailer announces {int(m.group(1))} records, the file holds {len(lines)}"
        )
    for no, line in enumerate(lines, start=1):
        try:
            yield no, line, parse_line(line, layout), None
        except LineError as exc:
            yield no, line, None, str(exc)


def write_file(records: list[str], layout: CdrLayout = CUSTOMIZED) -> bytes:
    """A collector file from formatted records (used by the stand-in and tests)."""
    end = layout.record_end
    body = "".join(r + end for r in records)
    return (body + f"{layout.trailer_prefix} records={len(records)}{end}").encode("latin-1")
