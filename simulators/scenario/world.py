"""Shared pieces of the simulated contact-center world.

Everything a source generator needs besides its own channel logic:

* local time (Asia/Jakarta, UTC+7, no DST), month iteration, office-hour
  timestamps and working-hour arithmetic;
* the population: an endless, deterministic sequence of citizens (name, email,
  phone, region, institution, organization) indexed by integer. Citizen ``i`` is
  the same person for every source built with the same seed, so a later
  WhatsApp or phone generator can make the same people contact several
  channels;
* the way people type regions and institutions (many spellings, some empty or
  unusable), and keyboard typos.

Nothing here reads the clock or the global ``random`` module.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache

LOCAL_TZ = timezone(timedelta(hours=7), "Asia/Jakarta")
UTC = UTC

OFFICE_START = time(8, 0)
OFFICE_END = time(17, 0)

# Every source's world by default: seed, first day and end day (exclusive; months Dec 2022 .. Dec 2023).
DEFAULT_SEED = 2023
DEFAULT_START = "2022-12-01"
DEFAULT_END = "2024-01-01"

BULAN = [
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


# --------------------------------------------------------------------------- time


def parse_date(value: str | date) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def iter_months(start: str | date, end: str | date) -> Iterator[str]:
    """Months "YYYY-MM" from the month of ``start`` to the month of ``end - 1 day``.

    ``end`` is exclusive, but a range is month-granular: "2022-12-01".."2024-01-01"
    and "2022-12-01".."2023-12-31" both give 2022-12 .. 2023-12.
    """
    first = parse_date(start)
    last = parse_date(end) - timedelta(days=1)
    if last < first:
        return
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield f"{y:04d}-{m:02d}"
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def month_days(month: str) -> list[date]:
    y, m = int(month[:4]), int(month[5:7])
    return [date(y, m, d) for d in range(1, calendar.monthrange(y, m)[1] + 1)]


def local_month(dt: datetime) -> str:
    """ "YYYY-MM" of an aware datetime in Asia/Jakarta local time."""
    return dt.astimezone(LOCAL_TZ).strftime("%Y-%m")


def is_office_time(dt: datetime) -> bool:
    local = dt.astimezone(LOCAL_TZ)
    return local.weekday() < 5 and OFFICE_START <= local.time() < OFFICE_END


def next_office_time(dt: datetime) -> datetime:
    """``dt`` if it is inside office hours, otherwise the next office opening."""
    local = dt.astimezone(LOCAL_TZ)
    while True:
        if local.weekday() < 5:
            opening = datetime.combine(local.date(), OFFICE_START, LOCAL_TZ)
            closing = datetime.combine(local.date(), OFFICE_END, LOCAL_TZ)
            if local < opening:
                return opening.astimezone(UTC)
            if local < closing:
                return local.astimezone(UTC)
        local = datetime.combine(local.date() + timedelta(days=1), time(0, 0), LOCAL_TZ)


def working_seconds(start: datetime, end: datetime) -> int:
    """Seconds of office hours (Mon-Fri 08:00-17:00 local) between two instants."""
    if end <= start:
        return 0
    s, e = start.astimezone(LOCAL_TZ), end.astimezone(LOCAL_TZ)
    total = 0.0
    day = s.date()
    while day <= e.date():
        if day.weekday() < 5:
            lo = max(s, datetime.combine(day, OFFICE_START, LOCAL_TZ))
            hi = min(e, datetime.combine(day, OFFICE_END, LOCAL_TZ))
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return int(total)


@dataclass(frozen=True)
class TimePattern:
    """When people contact a channel.

    ``weekend_weight`` is the weight of a Saturday/Sunday relative to a weekday;
    ``office_share`` is the share of weekday contacts inside 08:00-17:00.
    """

    weekend_weight: float = 0.12
    office_share: float = 0.85


def local_timestamp(rng: random.Random, month: str, pattern: TimePattern) -> datetime:
    """A random local Asia/Jakarta instant inside ``month``, returned in UTC."""
    days = month_days(month)
    weights = [pattern.weekend_weight if d.weekday() >= 5 else 1.0 for d in days]
    day = rng.choices(days, weights)[0]
    if day.weekday() < 5 and rng.random() < pattern.office_share:
        # Office hours, with a dip over the lunch break.
        while True:
            seconds = rng.randrange(8 * 3600, 17 * 3600)
            if not (12 * 3600 <= seconds < 13 * 3600) or rng.random() < 0.4:
                break
    else:
        # Early morning, evening or night; evenings are the most common.
        band = rng.choices([(0, 6), (6, 8), (17, 22), (22, 24)], [1, 2, 6, 2])[0]
        seconds = rng.randrange(band[0] * 3600, band[1] * 3600)
        if day.weekday() >= 5 and rng.random() < 0.6:
            seconds = rng.randrange(8 * 3600, 20 * 3600)
    local = datetime.combine(day, time(0, 0), LOCAL_TZ) + timedelta(seconds=seconds)
    return local.astimezone(UTC)


def boundary_timestamp(rng: random.Random, month: str) -> datetime:
    """A local instant in the first 7 hours of ``month``: still the previous month in UTC."""
    first = month_days(month)[0]
    local = datetime.combine(first, time(0, 0), LOCAL_TZ) + timedelta(seconds=rng.randrange(0, 7 * 3600))
    return local.astimezone(UTC)


# --------------------------------------------------------------------- vocabulary

# (kind, name, province). kind: "kab" (regency), "kota" (city), "prov" (province).
REGIONS: list[tuple[str, str, str]] = [
    ("kab", "Wajo", "Sulawesi Selatan"),
    ("kab", "Bone", "Sulawesi Selatan"),
    ("kab", "Gowa", "Sulawesi Selatan"),
    ("kota", "Makassar", "Sulawesi Selatan"),
    ("prov", "Sulawesi Selatan", "Sulawesi Selatan"),
    ("prov", "Sumatera Barat", "Sumatera Barat"),
    ("kota", "Padang", "Sumatera Barat"),
    ("kab", "Agam", "Sumatera Barat"),
    ("kab", "Pesisir Selatan", "Sumatera Barat"),
    ("prov", "Sumatera Utara", "Sumatera Utara"),
    ("kota", "Medan", "Sumatera Utara"),
    ("kab", "Deli Serdang", "Sumatera Utara"),
    ("kab", "Tapanuli Utara", "Sumatera Utara"),
    ("prov", "Aceh", "Aceh"),
    ("kab", "Aceh Besar", "Aceh"),
    ("kota", "Banda Aceh", "Aceh"),
    ("prov", "Riau", "Riau"),
    ("kota", "Pekanbaru", "Riau"),
    ("kab", "Kampar", "Riau"),
    ("prov", "Jawa Barat", "Jawa Barat"),
    ("kota", "Bandung", "Jawa Barat"),
    ("kab", "Bogor", "Jawa Barat"),
    ("kab", "Garut", "Jawa Barat"),
    ("kota", "Bekasi", "Jawa Barat"),
    ("prov", "Jawa Tengah", "Jawa Tengah"),
    ("kota", "Semarang", "Jawa Tengah"),
    ("kab", "Banyumas", "Jawa Tengah"),
    ("kab", "Klaten", "Jawa Tengah"),
    ("prov", "Jawa Timur", "Jawa Timur"),
    ("kota", "Surabaya", "Jawa Timur"),
    ("kab", "Malang", "Jawa Timur"),
    ("kab", "Sidoarjo", "Jawa Timur"),
    ("prov", "DI Yogyakarta", "DI Yogyakarta"),
    ("kab", "Sleman", "DI Yogyakarta"),
    ("kab", "Bantul", "DI Yogyakarta"),
    ("prov", "DKI Jakarta", "DKI Jakarta"),
    ("prov", "Banten", "Banten"),
    ("kota", "Tangerang Selatan", "Banten"),
    ("prov", "Bali", "Bali"),
    ("kab", "Badung", "Bali"),
    ("kota", "Denpasar", "Bali"),
    ("prov", "Nusa Tenggara Barat", "Nusa Tenggara Barat"),
    ("kab", "Lombok Timur", "Nusa Tenggara Barat"),
    ("prov", "Nusa Tenggara Timur", "Nusa Tenggara Timur"),
    ("kota", "Kupang", "Nusa Tenggara Timur"),
    ("prov", "Kalimantan Timur", "Kalimantan Timur"),
    ("kab", "Kutai Kartanegara", "Kalimantan Timur"),
    ("kota", "Samarinda", "Kalimantan Timur"),
    ("prov", "Kalimantan Barat", "Kalimantan Barat"),
    ("kota", "Pontianak", "Kalimantan Barat"),
    ("prov", "Sulawesi Utara", "Sulawesi Utara"),
    ("kota", "Manado", "Sulawesi Utara"),
    ("prov", "Maluku", "Maluku"),
    ("kota", "Ambon", "Maluku"),
    ("prov", "Papua", "Papua"),
    ("kab", "Jayapura", "Papua"),
    ("kab", "Mimika", "Papua"),
    ("prov", "Papua Barat", "Papua Barat"),
    ("kab", "Manokwari", "Papua Barat"),
    ("prov", "Lampung", "Lampung"),
    ("kab", "Lampung Selatan", "Lampung"),
    ("prov", "Jambi", "Jambi"),
    ("kab", "Muaro Jambi", "Jambi"),
]

UNIVERSITIES = [
    ("Universitas Gadjah Mada", "UGM", "ugm.ac.id", "kab:Sleman"),
    ("Universitas Indonesia", "UI", "ui.ac.id", "prov:DKI Jakarta"),
    ("Universitas Hasanuddin", "Unhas", "unhas.ac.id", "kota:Makassar"),
    ("Universitas Andalas", "Unand", "unand.ac.id", "kota:Padang"),
    ("Universitas Brawijaya", "UB", "ub.ac.id", "kab:Malang"),
    ("Universitas Padjadjaran", "Unpad", "unpad.ac.id", "kota:Bandung"),
    ("Politeknik Keuangan Negara STAN", "PKN STAN", "pknstan.ac.id", "kota:Tangerang Selatan"),
    ("Universitas Sumatera Utara", "USU", "usu.ac.id", "kota:Medan"),
]

CENTRAL_INSTITUTIONS = [
    "Kementerian Dalam Negeri",
    "BPK RI",
    "Bappenas",
    "Kementerian Keuangan",
    "KPPN",
    "Kanwil DJPb",
    "BPKP",
]

PUBLIC_INSTITUTIONS = ["Masyarakat umum", "Swasta", "Wartawan", "Konsultan", "LSM", "Mahasiswa"]

LOCAL_OFFICES = ["BPKAD", "BPKD", "Bappeda", "Inspektorat", "DPRD", "Bapenda", "Dinas Pendidikan"]

FIRST_NAMES = [
    "Andi",
    "Budi",
    "Siti",
    "Dewi",
    "Rina",
    "Agus",
    "Ahmad",
    "Muhammad",
    "Nur",
    "Sri",
    "Eko",
    "Dwi",
    "Tri",
    "Fajar",
    "Rizky",
    "Putri",
    "Indah",
    "Yusuf",
    "Hendra",
    "Wahyu",
    "Rahmat",
    "Fitri",
    "Ayu",
    "Bambang",
    "Joko",
    "Lestari",
    "Irwan",
    "Ratna",
    "Dedi",
    "Yanti",
    "Arif",
    "Nurul",
    "Hasanuddin",
    "Ismail",
    "Made",
    "Ketut",
    "Wayan",
    "Nyoman",
    "Maria",
    "Yohanes",
    "Fransiskus",
    "Teguh",
    "Syamsul",
    "Ilham",
    "Citra",
    "Melati",
    "Taufik",
    "Reza",
]

LAST_NAMES = [
    "Saputra",
    "Wijaya",
    "Santoso",
    "Hidayat",
    "Pratama",
    "Susanto",
    "Kurniawan",
    "Setiawan",
    "Nasution",
    "Siregar",
    "Harahap",
    "Lubis",
    "Hasibuan",
    "Simanjuntak",
    "Rahman",
    "Hakim",
    "Syahputra",
    "Sari",
    "Wati",
    "Utami",
    "Purnomo",
    "Gunawan",
    "Halim",
    "Rusdi",
    "Latif",
    "Mappasessu",
    "Daeng",
    "Tanjung",
    "Putra",
    "Ramadhan",
    "Firmansyah",
    "Suryadi",
    "Wibowo",
]

MAIL_DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "yahoo.co.id", "ymail.com"]


# ---------------------------------------------------------------------- citizens


@dataclass(frozen=True)
class Region:
    kind: str  # "kab" | "kota" | "prov"
    name: str
    province: str

    @property
    def canonical(self) -> str:
        return {"kab": "Kabupaten", "kota": "Kota", "prov": "Provinsi"}[self.kind] + " " + self.name

    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "")


_REGIONS = [Region(*r) for r in REGIONS]
_REGION_BY_KEY = {f"{r.kind}:{r.name}": r for r in _REGIONS}


@dataclass(frozen=True)
class Citizen:
    """A member of the simulated public. Canonical facts, not as typed."""

    index: int
    first_name: str
    last_name: str
    email: str
    phone: str
    kind: str  # "pemda" | "university" | "central" | "public"
    region: Region | None
    institution: str  # canonical institution, "" when none
    institution_short: str  # an abbreviation people also type, "" when none
    organization: str | None  # canonical organization name, when the person belongs to one

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


POPULATION_SIZE = 6000


@cache
def _citizen(seed: int, index: int) -> Citizen:
    rng = random.Random(f"{seed}/citizen/{index}")
    first = rng.choice(FIRST_NAMES)
    last = "" if rng.random() < 0.12 else rng.choice(LAST_NAMES)
    kind = rng.choices(["pemda", "university", "central", "public"], [55, 12, 8, 25])[0]
    region: Region | None = rng.choice(_REGIONS)
    institution, short, org = "", "", None
    local_part = f"{first}.{last}".lower().strip(".") if rng.random() < 0.6 else f"{first}{last[:3]}".lower()
    domain = rng.choice(MAIL_DOMAINS)
    if kind == "pemda":
        office = rng.choices(LOCAL_OFFICES, [30, 10, 15, 8, 5, 8, 6])[0]
        assert region is not None
        kind_word = {"kab": "Kabupaten", "kota": "Kota", "prov": "Provinsi"}[region.kind]
        institution = f"{office} {kind_word} {region.name}"
        short = f"{office} {region.name}"
        if rng.random() < 0.6:
            org = institution
        if rng.random() < 0.35:
            suffix = "prov" if region.kind == "prov" else ("kab" if region.kind == "kab" else "kota")
            domain = f"{region.slug}{suffix}.go.id"
    elif kind == "university":
        uni = rng.choice(UNIVERSITIES)
        institution, short = uni[0], uni[1]
        region = _REGION_BY_KEY[uni[3]] if rng.random() < 0.7 else None
        if rng.random() < 0.5:
            org = institution
        if rng.random() < 0.5:
            domain = f"mail.{uni[2]}"
    elif kind == "central":
        institution = rng.choice(CENTRAL_INSTITUTIONS)
        if institution in ("KPPN", "Kanwil DJPb") and region is not None:
            institution = f"{institution} {region.province if institution == 'Kanwil DJPb' else region.name}"
        elif rng.random() < 0.5:
            region = _REGION_BY_KEY["prov:DKI Jakarta"]
        if rng.random() < 0.7:
            org = institution
    else:
        institution = rng.choice(PUBLIC_INSTITUTIONS)
        if rng.random() < 0.3:
            region = None
    email = f"{local_part}{index}@{domain}"
    phone = "+628" + str(rng.randrange(11, 99)) + "".join(str(rng.randrange(10)) for _ in range(7))
    return Citizen(index, first, last, email, phone, kind, region, institution, short, org)


class Population:
    """The public of the simulated world: citizen ``i`` is fixed by (seed, i)."""

    def __init__(self, seed: int, size: int = POPULATION_SIZE) -> None:
        self.seed = seed
        self.size = size

    def citizen(self, index: int) -> Citizen:
        return _citizen(self.seed, index)

    def pick(self, rng: random.Random, seen: list[int], returning_share: float = 0.3) -> Citizen:
        """A returning contact from ``seen`` (indices this source already met) or anyone."""
        # Returning contacts grow with the number of people already met.
        if seen and rng.random() < returning_share * min(1.0, len(seen) / 200):
            return self.citizen(rng.choice(seen))
        return self.citizen(rng.randrange(self.size))


# ---------------------------------------------------------------- typed free text

UNUSABLE_REGIONS = ["", "-", "n/a", "Indonesia", "pusat", "x", "tidak ada", "."]


def typed_region(rng: random.Random, region: Region | None) -> str | None:
    """A region the way a user types it into a free-text field."""
    if region is None or rng.random() < 0.06:
        return rng.choice(UNUSABLE_REGIONS + [None])  # type: ignore[list-item]
    n = region.name
    if region.kind == "kab":
        options = [
            f"Kab. {n}",
            f"kab {n.lower()}",
            f"Kabupaten {n}",
            f"Pemkab {n}",
            f"Pemkab. {n}",
            f"BPKAD Kab. {n}",
            f"Pemerintah Kabupaten {n}",
            n,
            f"KAB. {n.upper()}",
            f"kab.{n}",
        ]
    elif region.kind == "kota":
        options = [
            f"Kota {n}",
            f"kota {n.lower()}",
            f"Pemkot {n}",
            f"Pemkot. {n}",
            f"BPKAD Kota {n}",
            f"Pemerintah Kota {n}",
            n,
            f"KOTA {n.upper()}",
            f"{n} (kota)",
        ]
    else:
        options = [
            f"Prov. {n}",
            f"Provinsi {n}",
            f"Pemprov {n}",
            f"Pemprov. {n}",
            f"prov {n.lower()}",
            f"BPKAD Provinsi {n}",
            f"Pemerintah Provinsi {n}",
            n,
            f"PROVINSI {n.upper()}",
        ]
        if n == "DKI Jakarta":
            options += ["Jakarta", "DKI", "jakarta pusat"]
    return rng.choice(options)


def typed_institution(rng: random.Random, citizen: Citizen) -> str | None:
    """An institution the way a user types it."""
    if not citizen.institution or rng.random() < 0.05:
        return rng.choice(["", "-", None])
    options = [citizen.institution, citizen.institution, citizen.institution.lower()]
    if citizen.institution_short:
        options.append(citizen.institution_short)
    if citizen.kind == "pemda" and citizen.region is not None:
        r = citizen.region
        short_kind = {"kab": "Kab.", "kota": "Kota", "prov": "Prov."}[r.kind]
        office = citizen.institution.split(" ")[0]
        options += [f"{office} {short_kind} {r.name}", f"{office.lower()} {r.name.lower()}"]
    if citizen.kind == "university":
        options.append(citizen.institution.replace("Universitas", "Univ."))
    return rng.choice(options)


_KEY_NEIGHBOURS = {
    "a": "sqw",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "w": "qe",
    "y": "tu",
}


def typo(rng: random.Random, text: str | None) -> str | None:
    """``text`` with one keyboard slip (swap, drop, double, neighbour key or spacing)."""
    if not text or len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.choice(["swap", "drop", "double", "neighbour", "space"])
    if kind == "swap":
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    if kind == "neighbour":
        ch = text[i].lower()
        if ch in _KEY_NEIGHBOURS:
            return text[:i] + rng.choice(_KEY_NEIGHBOURS[ch]) + text[i + 1 :]
        return text[:i] + text[i + 1 :]
    return rng.choice([" " + text, text + " ", text.replace(" ", "  ", 1)])
