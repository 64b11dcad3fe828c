"""Dates as staff type them in Indonesian registers.

``parse_date`` reads a cell value into a ``datetime.date``:

* real Excel dates (openpyxl gives ``datetime``/``date``), and Excel serial
  numbers left in a "General" cell (``45264`` = 2023-12-04);
* "4 Desember 2023", "04 Des 2023", "Senin, 4 Desember 2023", "4 desember 2023",
  English month names too ("4 Dec 2023");
* "04/12/2023", "4/12/23", "04-12-2023", "4.12.2023": day first, as in Indonesia;
* "4-Des-23", "4-Des-2023" (Excel's d-mmm-yy display in an Indonesian locale);
* ISO "2023-12-04" (and "2023-12-04T00:00:00").

A day and month without a year ("4 Desember") take ``default_year`` (the sheet's).
Anything else raises ``ValueError`` with the text that failed: no guessing, and in
particular no month/day swap when "12/04/2023" does not fit the sheet's month.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS: dict[str, int] = {
    "januari": 1,
    "jan": 1,
    "january": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "february": 2,
    "maret": 3,
    "mar": 3,
    "march": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "june": 6,
    "juli": 7,
    "jul": 7,
    "july": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "agus": 8,
    "agust": 8,
    "aug": 8,
    "august": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "oct": 10,
    "october": 10,
    "november": 11,
    "nopember": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
    "dec": 12,
    "december": 12,
}
MONTH_NAMES_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad")

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, with Excel's 1900 leap-year quirk folded in
_SERIAL_RANGE = (20000, 80000)  # 1954 .. 2119: a bare number outside this is not a date

_TEXT = re.compile(r"^(\d{1,2})[\s\-./]+([a-z]+)\.?(?:[\s\-./,]+(\d{2}|\d{4}))?$")
_NUMERIC = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if y < 100 else y


def parse_date(value: object, default_year: int | None = None) -> dt.date:
    """One cell as a date, or ``ValueError`` saying why not."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, (int, float)):
        if not (_SERIAL_RANGE[0] <= value < _SERIAL_RANGE[1]) or value != int(value):
            raise ValueError(f"not a date: the number {value!r} is no Excel date serial")
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = " ".join(str(value).replace("\u00a0", " ").split()).strip().lower().rstrip(".,;")
    if not text:
        raise ValueError("empty date")
    for day in WEEKDAYS:  # "Senin, 4 Desember 2023"
        if text.startswith(day):
            text = text[len(day) :].lstrip(" ,")
            break
    if text.isdigit():
        return parse_date(int(text), default_year)
    try:
        if m := _ISO.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC.match(text):
            return dt.date(_year(m[3]), int(m[2]), int(m[1]))
        if m := _TEXT.match(text):
            month = MONTHS.get(m[2])
            if month is None:
                raise ValueError(f"not a date: unknown month {m[2]!r} in {value!r}")
            if m[3] is None and default_year is None:
                raise ValueError(f"not a date: no year in {value!r}")
            return dt.date(_year(m[3]) if m[3] else default_year, month, int(m[1]))
    except ValueError as exc:
        if str(exc).startswith("not a date"):
            raise
        raise ValueError(f"not a date: {value!r} ({exc})") from None
    raise ValueError(f"not a date: {value!r}")


_SHEET = re.compile(r"^([a-z]+)\.?(?:[\s\-_'/]+(\d{2}|\d{4}))?$")
_SHEET_NUMERIC = re.compile(r"^(?:(\d{1,2})[\s\-_./]+(\d{4})|(\d{4})[\s\-_./]+(\d{1,2}))$")


def parse_sheet_month(name: str, default_year: int | None = None) -> dt.date | None:
    """First day of the month a sheet is named after, or None when it is no month.

    "Desember 2023", "DES 2023", "Des-23", "Desember" (+ the workbook's year),
    "12-2023", "2023-12", a copy "Desember 2023 (2)". Names like "Rekap" or "Sheet1" give None.
    """
    text = " ".join(name.replace("\u00a0", " ").split()).strip().lower()
    text = re.sub(r"\s*\(\d+\)$", "", text)  # Excel names a copied sheet "Desember 2023 (2)"
    if m := _SHEET_NUMERIC.match(text):
        month, year = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
        return dt.date(year, month, 1) if 1 <= month <= 12 else None
    m = _SHEET.match(text)
    if not m or m[1] not in MONTHS:
        return None
    year = _year(m[2]) if m[2] else default_year
    return dt.date(year, MONTHS[m[1]], 1) if year else None


def indonesian(d: dt.date) -> str:
    """``4 Desember 2023``."""
    return f"{d.day} {MONTH_NAMES_ID[d.month - 1]} {d.year}"
