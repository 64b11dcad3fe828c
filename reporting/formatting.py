"""Indonesian presentation of numbers, dates and changes (Babel's id_ID locale).

1469 -> "1.469"; 4.9 -> "4,9%"; a change of -11.9 % against November 2023 ->
"turun 11,9% dibandingkan bulan sebelumnya (143)". Rounding happens here and only here.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "id_ID"


def num(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def pct(value: float | None, decimals: int = 1) -> str:
    """A percentage already in percent units (12.5 -> "12,5%")."""
    if value is None:
        return "–"
    return num(value, decimals) + "%"


def month_name(period: str) -> str:
    return format_date(dt.date.fromisoformat(period + "-01"), "MMMM y", locale=LOCALE)


def date_id(value: dt.date | str) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date(value, "d MMMM y", locale=LOCALE)


def previous_period(period: str, months: int = 1) -> str:
    y, m = map(int, period.split("-"))
    m -= months
    while m <= 0:
        m += 12
        y -= 1
    return f"{y:04d}-{m:02d}"


def change_phrase(change_pct: float | None, earlier: float | None, against: str) -> str:
    """ "meningkat 12% dibandingkan <against> (1.305)", as the report words it."""
    if earlier is None:
        return f"belum dapat dibandingkan dengan {against} (data tidak tersedia)"
    if change_pct is None:  # earlier value was 0
        return f"dibandingkan {against} ({num(earlier)})"
    if change_pct > 0:
        verb = "meningkat"
    elif change_pct < 0:
        verb = "turun"
    else:
        return f"sama dengan {against} ({num(earlier)})"
    return f"<b>{verb}</b> {pct(abs(change_pct))} dibandingkan {against} ({num(earlier)})"
