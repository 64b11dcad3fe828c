"""Indonesian presentation of numbers, dates and changes (Babel's id_ID locale).

1469 -> "1.469"; 4.9 -> "4,9%"; a change of -11.9 % against November 2023 ->
"turun 11,9% dibandingkan bulan sebelumnya (143)". Rounding happens here and only here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "id_ID"
WIB = ZoneInfo("Asia/Jakarta")  # load times are shown as staff in Jakarta read them
MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


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


def month_only(period: str) -> str:
    """ "2023-12" -> "Desember"."""
    return format_date(dt.date.fromisoformat(period + "-01"), "MMMM", locale=LOCALE)


def month_abbr(period: str, with_year: bool = False) -> str:
    """A chart axis label: "2023-08" -> "Agu" (or "Agu 23")."""
    y, m = period.split("-")[:2]
    return MONTH_ABBR[int(m) - 1] + (f" {y[2:]}" if with_year else "")


def timestamp_id(value: dt.datetime | str | None) -> str:
    """A load time as staff in Jakarta read it: "28 November 2026 08.37 WIB" (stored in UTC)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # a naive time from the warehouse is UTC
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(WIB)
    return format_date(value.date(), "d MMMM y", locale=LOCALE) + value.strftime(" %H.%M WIB")


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


# Words of the data (keys, statuses) as the reader reads them.
TERMS = {
    "unclassified": "tidak terklasifikasi",
    "unknown": "tidak diketahui",
    "identified": "teridentifikasi",
    "unidentified": "tidak teridentifikasi",
    "feed": "feed",
    "reels": "reels",
    "instagram": "Instagram",
    "twitter": "Twitter/X",
    "facebook": "Facebook",
    "ok": "lengkap",
    "late": "terlambat",
    "not_loaded": "belum dimuat",
    "(tanpa status)": "(tanpa status)",
}


def term(value: Any) -> str:
    """A key of the data in Indonesian ("unclassified" -> "tidak terklasifikasi"); other labels unchanged."""
    if value is None:
        return "–"
    return TERMS.get(str(value), str(value))


def field_label(field: str) -> str:
    """ "breakdown:unclassified" -> "rincian: tidak terklasifikasi"."""
    name, _, part = field.partition(":")
    label = FIELD_LABELS.get(name, name)
    return f"{label}: {term(part)}" if part else label


# Columns named in the loaders' validation messages, in Indonesian.
COLUMN_TERMS = {
    "kind": "jenis",
    "date": "tanggal",
    "region": "daerah",
    "topic": "topik",
    "village": "desa",
    "guests": "jumlah tamu",
    "description": "uraian",
    "title": "judul",
    "subject": "perihal",
    "status": "status",
    "requester_type": "jenis pemohon",
    "requester": "pemohon",
    "data_requested": "data yang diminta",
    "institution": "instansi",
}
STREAM_TERMS = {
    "complaints": "pengaduan dan keluhan",
    "face_to_face_consultations": "konsultasi tatap muka",
    "instagram_village_followers": "akun desa pengikut Instagram",
    "webinars": "webinar/FGD",
    "video_conferences": "video conference",
    "ppid_requests": "permohonan PPID",
    "tickets": "tiket",
    "people": "pengguna",
    "organizations": "organisasi",
    "messages": "pesan",
    "calls": "panggilan",
    "cdr": "catatan panggilan",
    "posts": "unggahan",
}
_REASONS = [
    (r"required, but the cell is empty", lambda m: "wajib diisi, tetapi selnya kosong"),
    (
        r"unknown kind '(?P<v>[^']*)': expected one of (?P<opts>.+)",
        lambda m: f"jenis '{m['v']}' tidak dikenal (yang diterima: {m['opts'].replace(', ', ', ')})",
    ),
    (
        r"(?P<d>\d{4}-\d{2}-\d{2}) is outside the sheet's month (?P<m>\d{4}-\d{2})",
        lambda m: f"{date_id(m['d'])} di luar bulan lembarnya ({month_name(m['m'])})",
    ),
    (r"date outside the sheet's month", lambda m: "tanggal di luar bulan lembarnya"),
    (r"not a date: '(?P<v>[^']*)'.*", lambda m: f"'{m['v']}' bukan tanggal yang valid"),
    (
        r"\w+ must be at least (?P<n>-?\d+), got (?P<v>-?\d+)",
        lambda m: f"paling sedikit {m['n']}, tertulis {m['v']}",
    ),
    (
        r"below the total row \(row (?P<r>\d+)\): not counted; move it above the total",
        lambda m: f"di bawah baris total (baris {m['r']}): tidak dihitung; pindahkan ke atas baris total",
    ),
]


def _reason_part(part: str) -> str:
    column, sep, rest = part.partition(": ")
    if not sep or " " in column:
        column, rest = "", part
    rest = re.sub(r"^Value error,\s*", "", rest.strip())
    for pattern, say in _REASONS:
        m = re.fullmatch(pattern, rest)
        if m:
            text = say(m)
            break
    else:
        text = "tidak lolos pemeriksaan format sumber"
    return f"kolom {COLUMN_TERMS.get(column, column.replace('_', ' '))}: {text}" if column else text


def reason_id(reason: str | None) -> str:
    """Why the loader kept a record out, in Indonesian (the loaders' messages are in English;
    one not known here is summarised, never shown in English)."""
    if not reason:
        return "–"
    return "; ".join(_reason_part(p) for p in re.split(r"; (?=\w+: )", reason))


def record_key_id(key: str | None) -> str:
    """ "workbook='Register X.xlsx', sheet='Juni 2023', row=6" -> "buku kerja 'Register X.xlsx', lembar …"."""
    if not key:
        return "–"
    for en, idn in (("workbook=", "buku kerja "), ("sheet_row=", "baris "), ("sheet=", "lembar "), ("row=", "baris ")):
        key = re.sub(rf"(^|, ?){en}", rf"\g<1>{idn}", key)
    return key


def stream_id(stream: str | None) -> str:
    return STREAM_TERMS.get(stream or "", stream or "–")


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
