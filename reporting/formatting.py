"""Indonesian presentation of numbers, dates and changes (Babel's id_ID locale).

1469 -> "1.469"; 4.9 -> "4,9%"; a change of -11.9 % against November 2023 ->
"turun 11,9% dibandingkan bulan sebelumnya (143)". Rounding happens here and only here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def date_id(value: dt.date | str | None) -> str:
    if value is None or value == "":
        return "–"  # a register row without a usable date (never today's date)
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date(value, "d MMMM y", locale=LOCALE)


def timestamp_id(value: dt.datetime | str | None) -> str:
    """A load time as staff read it: "28 November 2026 01.37 UTC"."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    value = value.astimezone(dt.UTC)
    return format_date(value.date(), "d MMMM y", locale=LOCALE) + value.strftime(" %H.%M UTC")


FIELD_LABELS = {
    "value": "nilai",
    "prev_month": "bulan sebelumnya",
    "same_month_last_year": "bulan yang sama tahun lalu",
    "ytd": "sampai dengan bulan ini",
    "mom_pct": "perubahan dari bulan sebelumnya",
    "yoy_pct": "perubahan dari tahun lalu",
    "share_pct": "persentase",
    "breakdown": "rincian",
    "ytd_breakdown": "rincian tahun berjalan",
}


def field_label(field: str) -> str:
    """ "breakdown:unclassified" -> "rincian: unclassified"."""
    name, _, part = field.partition(":")
    label = FIELD_LABELS.get(name, name)
    return f"{label}: {part}" if part else label


def figure(value: Any, field: str = "") -> str:
    """A published or computed figure: Indonesian number format ("%" for a percentage
    field such as mom_pct), "–" when there is none."""
    if value is None or value == "":
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return num(number, 1) + ("%" if field.partition(":")[0].endswith("_pct") else "")


def previous_period(period: str, months: int = 1) -> str:
    y, m = map(int, period.split("-"))
    m -= months
    while m <= 0:
        m += 12
        y -= 1
    while m > 12:  # a negative ``months`` goes forward
        m -= 12
        y += 1
    return f"{y:04d}-{m:02d}"


def change_phrase(change_pct: float | None, earlier: float | None, against: str, current: float | None = None) -> str:
    """ "meningkat 12% dibandingkan <against> (1.305)", as the report words it."""
    if earlier is None:
        return f"belum dapat dibandingkan dengan {against} (data tidak tersedia)"
    if change_pct is None:  # the earlier value was 0: no percentage
        if current is not None and current > 0:
            return f"<b>meningkat</b> dari {num(earlier)} pada {against}"
        if current is not None and current == earlier:
            return f"sama dengan {against} ({num(earlier)})"
        return f"dibandingkan {against} ({num(earlier)})"
    if change_pct > 0:
        verb = "meningkat"
    elif change_pct < 0:
        verb = "turun"
    else:
        return f"sama dengan {against} ({num(earlier)})"
    return f"<b>{verb}</b> {pct(abs(change_pct))} dibandingkan {against} ({num(earlier)})"
