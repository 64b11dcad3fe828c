"""The consultation plan: one consistent world behind every consultation channel.

Every consultation of every channel (WhatsApp, phone, HAI Kemenkeu, Live Chat,
Email Call Center) is one record of the plan of its month. A channel generator
asks the plan for its month and channel and renders each record in its own API
format; it never draws who the user is, where they are from, when they wrote,
the topic, the agent, the escalation or the rating itself. So the channels add up
to the report's cross-channel figures (segments, time zones, service hours, top
local governments, escalations, agent ratings), and the same people come back
across months and channels.

    from simulators.scenario.consultations import channel_counts, plan_month

    counts = channel_counts(2023, "2023-12")      # {"whatsapp": 1118, "phone": 149, ...}
    plan = plan_month(2023, "2023-12")            # every consultation of the month
    for c in plan.for_channel("whatsapp"):        # in creation order
        c.person.phone, c.region_text, c.institution_text, c.created_at, c.topic, c.agent, c.rating

The truth the plan keeps (docs/simulation.md):

* A consultation's segment is its user's: ``world.Population`` gives every
  citizen a kind (pemda, university, central, public); public citizens split into
  "Lainnya" and users who never give a usable institution ("unclassified").
* Only local-government (Pemda) users give their region, and always in a form the
  normalisation resolves; everyone else leaves it empty or writes something that
  is no region ("Indonesia", "-", their own name). So a consultation's time zone
  is identified exactly when its user is Pemda, as in the published December 2023
  report (1251 identified = 1251 Pemda).
* Service hours: Monday-Friday 08:00-17:00 in the user's own time zone, public
  holidays and cuti bersama excluded (``dbt_project/seeds/ref_public_holidays.csv``).
* The month of a consultation is the Asia/Jakarta month of ``created_at``.

Exact figures (``MONTH_TARGETS``, ``YEAR_TARGETS``) hold in the generated data
for the default counts (``channel_counts``); a month is planned on its own
(memory does not grow with the range), from a small per-year allocation that
spreads the year's fixed totals over its months.
"""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from simulators.scenario import regions as R
from simulators.scenario.calibration import channels as calibrated_channels, monthly_target
from simulators.scenario.world import (
    UTC,
    Citizen,
    Population,
    TimePattern,
    boundary_timestamp,
    iter_months,
    local_month,
    local_timestamp,
    month_days,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "dbt_project" / "seeds"

CHANNELS = ["whatsapp", "phone", "hai_kemenkeu", "live_chat", "email_call_center"]
DESKPRO_CHANNELS = ["hai_kemenkeu", "live_chat", "email_call_center"]
SEGMENTS = ["Akademisi", "Pemda", "Kementerian/Lembaga", "Lainnya", "unclassified"]
REPORTED_SEGMENTS = SEGMENTS[:4]
AGENTS = ["Nuryani", "Anas", "Linna", "Hanna", "Dian"]
TOPICS = [
    "DAU",
    "DBH",
    "DAK",
    "Transfer",
    "PDRD",
    "JF AKPD",
    "SHSR",
    "Otsus",
    "Hibah",
    "IF",
    "DID",
    "Pembiayaan",
    "PIKD",
    "Aplikasi",
    "Surat Masuk",
    "Reservasi",
    "Permintaan Data",
    "Video Conference",
    "Lainnya",
]
TIMEZONES = ["WIB", "WITA", "WIT"]

SERVICE_START = time(8, 0)
SERVICE_END = time(17, 0)
# The phone queue (Avaya vector) takes calls Monday-Friday 08:00-16:30 Asia/Jakarta.
# A call's time in the CDR is the answer minute less the wait, up to 59 s before the
# true arrival; planned calls keep two minutes off the opening so no call slips out.
PHONE_FIRST_ARRIVAL = 8 * 3600 + 120
PHONE_LAST_ARRIVAL = 16 * 3600 + 25 * 60
# A user's WhatsApp consultations are at least this far apart (start to start), so
# the pipeline's 24-hour conversation rule never merges two of them, even when an
# agent answers a Friday-evening message after a long weekend.
WHATSAPP_SPACING = timedelta(days=3)

# --------------------------------------------------------------- channel volumes

# WhatsApp and phone (Avaya) consultations per month. Nov/Dec 2023 and Dec 2022 are
# the published figures; the other 2023 months are chosen so that the year sums to
# the published totals (WhatsApp 14,310, phone 1,508), with a plausible season (a
# busy January and March, a quiet April around Idul Fitri).
FIXED_COUNTS: dict[str, dict[str, int]] = {
    "whatsapp": {
        "2022-12": 1065,
        "2023-01": 1290,
        "2023-02": 1180,
        "2023-03": 1350,
        "2023-04": 1010,
        "2023-05": 1260,
        "2023-06": 1190,
        "2023-07": 1240,
        "2023-08": 1225,
        "2023-09": 1215,
        "2023-10": 1244,
        "2023-11": 988,
        "2023-12": 1118,
    },
    "phone": {
        "2022-12": 102,
        "2023-01": 140,
        "2023-02": 118,
        "2023-03": 133,
        "2023-04": 96,
        "2023-05": 131,
        "2023-06": 122,
        "2023-07": 128,
        "2023-08": 127,
        "2023-09": 125,
        "2023-10": 136,
        "2023-11": 103,
        "2023-12": 149,
    },
}
DEFAULT_COUNT_RANGES = {"whatsapp": (950, 1350), "phone": (90, 150)}


def channel_counts(seed: int, month: str) -> dict[str, int]:
    """Consultations per channel for ``month`` ("YYYY-MM"): the counts every generator must use.

    WhatsApp and phone from ``FIXED_COUNTS`` (else a seeded draw), the Deskpro
    channels from ``calibration.monthly_target``.
    """
    out: dict[str, int] = {}
    for ch in ("whatsapp", "phone"):
        fixed = FIXED_COUNTS[ch].get(month)
        if fixed is None:
            lo, hi = DEFAULT_COUNT_RANGES[ch]
            fixed = random.Random(f"{seed}/plan/counts/{ch}/{month}").randint(lo, hi)
        out[ch] = fixed
    for ch in calibrated_channels("deskpro"):
        out[ch] = monthly_target(seed, "deskpro", ch, month)
    return {ch: out[ch] for ch in CHANNELS}


# -------------------------------------------------------------------- targets


@dataclass(frozen=True)
class MonthTargets:
    """Figures that hold exactly for one month (all channels together)."""

    segments: dict[str, int]
    top_local_governments: dict[str, int]  # official label -> Pemda consultations
    other_local_governments_max: int
    outside_service_hours: dict[str, int]  # time zone -> identified consultations outside hours
    escalated: int
    ratings: tuple[int, ...] = (5,)  # the only rating values given that month


@dataclass(frozen=True)
class YearTargets:
    """Figures that hold exactly for a calendar year (all channels, all months)."""

    segments: dict[str, int]  # reported segments; "unclassified" is the rest of the year's total
    top_local_governments: dict[str, int]
    other_local_governments_max: int


MONTH_TARGETS: dict[str, MonthTargets] = {
    "2023-12": MonthTargets(
        segments={"Akademisi": 66, "Pemda": 1251, "Kementerian/Lembaga": 70, "Lainnya": 82, "unclassified": 0},
        top_local_governments={
            "Kab. Wajo": 15,
            "Prov. Sumatera Barat": 15,
            "Prov. Riau": 13,
            "Prov. Sulawesi Utara": 13,
            "Kab. Kediri": 13,
        },
        other_local_governments_max=12,
        outside_service_hours={"WIB": 27, "WITA": 16, "WIT": 7},
        escalated=144,
    ),
}

YEAR_TARGETS: dict[int, YearTargets] = {
    2023: YearTargets(
        segments={"Akademisi": 568, "Pemda": 12724, "Kementerian/Lembaga": 923, "Lainnya": 2041},
        top_local_governments={
            "Kab. Probolinggo": 56,
            "Prov. Kalimantan Barat": 44,
            "Kab. Padang Lawas": 34,
            "Kota Banjar": 34,
            "Kab. Brebes": 31,
        },
        other_local_governments_max=30,
    ),
}

# Shares for months without targets: (low, high) per non-Pemda segment; Pemda is the rest.
DEFAULT_SEGMENT_SHARES = {
    "Akademisi": (0.03, 0.05),
    "Kementerian/Lembaga": (0.04, 0.06),
    "Lainnya": (0.07, 0.12),
    "unclassified": (0.02, 0.08),
}
DEFAULT_OUTSIDE_SHARE = 0.04
DEFAULT_ESCALATION_SHARE = (0.08, 0.11)

ESCALATION_TOPICS = {"PDRD": 35, "DAU": 30, "JF AKPD": 20, "Reservasi": 15}
_BASE_TOPIC_WEIGHTS = dict(zip(TOPICS, [12, 10, 14, 6, 6, 5, 4, 2, 3, 2, 3, 3, 4, 12, 5, 2, 8, 2, 8], strict=False))
TOPIC_WEIGHTS: dict[str, dict[str, float]] = {
    "whatsapp": {**_BASE_TOPIC_WEIGHTS, "Transfer": 14, "DAU": 16, "DBH": 12},
    "phone": {**_BASE_TOPIC_WEIGHTS, "Transfer": 12, "DAU": 14, "Aplikasi": 14},
    "hai_kemenkeu": {**_BASE_TOPIC_WEIGHTS, "Permintaan Data": 16, "Surat Masuk": 14, "DBH": 12, "Lainnya": 12},
    "live_chat": {**_BASE_TOPIC_WEIGHTS, "Surat Masuk": 16, "Permintaan Data": 14, "Reservasi": 10, "Lainnya": 12},
    "email_call_center": {**_BASE_TOPIC_WEIGHTS, "Surat Masuk": 22, "Permintaan Data": 10},
}
AGENT_WEIGHTS = {
    "whatsapp": [26, 24, 18, 17, 15],
    "phone": [22, 22, 20, 18, 18],
    "email_call_center": [30, 28, 18, 14, 10],
    "hai_kemenkeu": [10, 12, 18, 30, 30],
    "live_chat": [15, 25, 35, 15, 10],
}
# Phone calls have no satisfaction survey (the hotline has no post-call IVR survey).
RATING_SHARE = {"whatsapp": 0.30, "phone": 0.0, "hai_kemenkeu": 0.35, "live_chat": 0.45, "email_call_center": 0.35}
RATING_WEIGHTS = {5: 93, 4: 5, 3: 2}
MIN_RATINGS_PER_AGENT = 5  # the report's rule: >= 5 ratings from >= 5 different users, every month
# When users write outside service hours, by channel (relative): calls rarely.
# The phone queue only takes calls in office hours (Asia/Jakarta), so never.
OUTSIDE_CHANNEL_WEIGHT = {
    "whatsapp": 1.0,
    "phone": 0.0,
    "hai_kemenkeu": 1.0,
    "live_chat": 0.6,
    "email_call_center": 1.0,
}
UNIDENTIFIED_PATTERN = {
    "whatsapp": TimePattern(0.2, 0.8),
    "hai_kemenkeu": TimePattern(0.15, 0.8),
    "live_chat": TimePattern(0.05, 0.93),
    "email_call_center": TimePattern(0.12, 0.82),
}


# ------------------------------------------------------------ reference data


@lru_cache(maxsize=1)
def public_holidays() -> dict[date, str]:
    """National holidays and cuti bersama (dbt seed ref_public_holidays)."""
    with open(SEEDS / "ref_public_holidays.csv", newline="", encoding="utf-8") as fh:
        return {date.fromisoformat(r["holiday_date"]): r["holiday_name"] for r in csv.DictReader(fh)}


def is_service_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays()


def is_within_service_hours(created_at: datetime, tz: str) -> bool:
    """Monday-Friday 08:00-17:00 in the time zone ``tz`` (WIB/WITA/WIT), holidays excluded."""
    local = created_at.astimezone(timezone(timedelta(hours=R.TIMEZONES[tz][0])))
    return is_service_day(local.date()) and SERVICE_START <= local.time() < SERVICE_END


@lru_cache(maxsize=1)
def _segment_rules() -> list[tuple[int, int, str, str, str]]:
    with open(SEEDS / "ref_segment_rules.csv", newline="", encoding="utf-8") as fh:
        rows = [
            (int(r["priority"]), int(r["rule_id"]), r["segment_name"], r["match_type"], r["phrase"])
            for r in csv.DictReader(fh)
        ]
    return sorted(rows)


def classify_institution(text: str | None) -> str:
    """Segment of a typed institution, by the rules of seed ref_segment_rules (the dbt rule).

    Empty after cleaning -> "unclassified"; the first matching rule (by priority,
    rule id) wins; otherwise "Lainnya".
    """
    cleaned = R.clean(text)
    if not cleaned:
        return "unclassified"
    padded = f" {cleaned} "
    for _, _, segment, match, phrase in _segment_rules():
        if (match == "whole" and cleaned == phrase) or (match == "word" and f" {phrase} " in padded):
            return segment
    return "Lainnya"


# ------------------------------------------------------------------- people

PEMDA_OFFICES = [
    ("BPKAD", 30),
    ("Bappeda", 12),
    ("Bapenda", 10),
    ("Inspektorat", 6),
    ("DPRD", 7),
    ("Sekretariat DPRD", 3),
    ("Setda", 6),
    ("Dinas Pendidikan", 5),
    ("Badan Keuangan dan Aset Daerah", 6),
    ("desa", 8),
]
VILLAGES = [
    "Sukamaju",
    "Sukajadi",
    "Mekarsari",
    "Sidomulyo",
    "Sumberjaya",
    "Tanjungsari",
    "Margamulya",
    "Karya Bakti",
    "Suka Damai",
    "Mulyorejo",
    "Tirtomulyo",
    "Bumi Ayu",
    "Lubuk Jaya",
    "Padang Kerta",
]
UNIVERSITIES = [
    ("Universitas Gadjah Mada", "UGM"),
    ("Universitas Indonesia", "UI"),
    ("Universitas Hasanuddin", "Unhas"),
    ("Universitas Andalas", "Unand"),
    ("Universitas Brawijaya", "UB"),
    ("Universitas Padjadjaran", "Unpad"),
    ("Politeknik Keuangan Negara STAN", "PKN STAN"),
    ("Universitas Sumatera Utara", "USU"),
    ("Institut Pertanian Bogor", "IPB"),
    ("Universitas Airlangga", "Unair"),
    ("Universitas Diponegoro", "Undip"),
    ("Universitas Islam Negeri Syarif Hidayatullah", "UIN Jakarta"),
]
SCHOOL_ROLES = ["Guru SMA Negeri {n}", "Guru SMK Negeri {n}", "Guru SD Negeri {n}", "Siswa SMA Negeri {n}"]
CENTRAL = [
    ("Kementerian Dalam Negeri", "Kemendagri"),
    ("Kementerian Keuangan", "Kemenkeu"),
    ("BPK RI", "BPK"),
    ("Bappenas", "Bappenas"),
    ("BPKP", "BPKP"),
    ("Badan Pusat Statistik", "BPS"),
    ("Kementerian Desa PDTT", "Kemendes"),
    ("Kementerian Kesehatan", "Kemenkes"),
    ("LKPP", "LKPP"),
    ("KPPN", "KPPN"),
    ("Kanwil DJPb", "Kanwil DJPb"),
    ("BPK Perwakilan", "BPK Perwakilan"),
]
PUBLIC = [
    "Masyarakat umum",
    "Masyarakat",
    "Swasta",
    "PT {c}",
    "CV {c}",
    "Wartawan",
    "Media {c}",
    "Konsultan",
    "LSM {c}",
    "Pendamping Desa",
    "Tenaga Pendamping Profesional",
    "Pribadi",
    "Perorangan",
    "Yayasan {c}",
]
COMPANIES = ["Sinar Jaya", "Maju Bersama", "Nusantara Data", "Cahaya Abadi", "Mitra Sejahtera", "Karya Mandiri"]
UNUSABLE_INSTITUTIONS = [None, "", "-", ".", "n/a", "tidak ada", "Tidak ada", "x", "xxx", "-"]
UNRESOLVABLE_REGIONS = [None, "", "-", ".", "Indonesia", "INDONESIA", "Pusat", "NKRI", "n/a", "tidak ada", "x"]
UNCLASSIFIED_SHARE_OF_PUBLIC = 0.4
_TYPED_OFFICES = {"BPKAD", "BAPPEDA", "BAPENDA", "DPRD"}


@dataclass(frozen=True)
class Person:
    """A user of the contact center: a ``world.Population`` citizen as the plan sees them."""

    citizen: Citizen
    segment: str
    region: R.Region | None  # the local government of a Pemda user, else None
    institution: str  # canonical; "" when the user gives none
    organization: str | None  # organization the user belongs to in a help desk, if any
    email: str
    region_forms: tuple[str | None, ...]  # how they type their region (resolving only for Pemda users)
    institution_forms: tuple[str | None, ...]  # how they type their institution (always classifying to segment)

    @property
    def index(self) -> int:
        return self.citizen.index

    @property
    def name(self) -> str:
        return self.citizen.name

    @property
    def phone(self) -> str:
        return self.citizen.phone


def _segment_of(citizen: Citizen, seed: int) -> str:
    if citizen.kind == "pemda":
        return "Pemda"
    if citizen.kind == "university":
        return "Akademisi"
    if citizen.kind == "central":
        return "Kementerian/Lembaga"
    anon = random.Random(f"{seed}/plan/anonymous/{citizen.index}").random() < UNCLASSIFIED_SHARE_OF_PUBLIC
    return "unclassified" if anon else "Lainnya"


def _kind_words(r: R.Region) -> list[str]:
    return {"kab": ["Kab.", "Kabupaten"], "kota": ["Kota"], "prov": ["Prov.", "Provinsi"]}[r.kind]


def _make_person(seed: int, citizen: Citizen, segment: str, lg: R.Region | None) -> Person:
    rng = random.Random(f"{seed}/plan/person/{citizen.index}")
    email = citizen.email
    region_forms: list[str | None]
    if segment == "Pemda":
        assert lg is not None
        office = rng.choices([o for o, _ in PEMDA_OFFICES], [w for _, w in PEMDA_OFFICES])[0]
        if office == "desa" and lg.kind != "kab":
            office = "BPKAD"
        kw = _kind_words(lg)
        n = lg.short_name
        if office == "desa":
            village = rng.choice(VILLAGES)
            institution = f"Pemerintah Desa {village}"
            forms = [
                institution,
                f"Desa {village}",
                f"Kantor Desa {village}",
                f"Perangkat Desa {village}",
                f"Kepala Desa {village}",
                f"Pemdes {village} Kab. {n}",
            ]
        else:
            institution = f"{office} {kw[-1]} {n}"
            forms = [
                institution,
                f"{office} {kw[0]} {n}",
                f"{office} {n}",
                f"{office.lower()} {kw[0].lower()} {n.lower()}",
                f"{office.upper()} {kw[0].upper()} {n.upper()}",
                office,
            ]
        # Users of one office name their own office, if any, before the region.
        own = office.split(" ")[0].upper()
        region_forms = [
            f
            for f in R.typed_variants(lg)
            if f.split(" ")[0].upper() not in _TYPED_OFFICES or f.split(" ")[0].upper() == own
        ]
        if rng.random() < 0.35:
            slug = "".join(ch for ch in n.lower() if ch.isalnum())
            email = f"{citizen.email.split('@')[0]}@{slug}{lg.kind}.go.id"
    elif segment == "Akademisi":
        uni, short = rng.choice(UNIVERSITIES)
        role = rng.random()
        if role < 0.55:
            institution = uni
            forms = [
                uni,
                uni,
                short,
                uni.replace("Universitas", "Univ."),
                f"Mahasiswa {short}",
                "Mahasiswa",
                f"Dosen {uni}",
            ]
        else:
            institution = rng.choice(SCHOOL_ROLES).format(n=rng.randint(1, 12))
            forms = [institution, institution.lower(), institution.split(" ")[0]]
        region_forms = []
    elif segment == "Kementerian/Lembaga":
        inst, short = rng.choice(CENTRAL)
        if inst in ("KPPN", "Kanwil DJPb", "BPK Perwakilan"):
            where = rng.choice(R.local_governments())
            inst = f"{inst} {where.label if inst != 'KPPN' else where.short_name}"
            short = inst
        institution = inst
        forms = [inst, inst, short, inst.lower()]
        region_forms = []
    elif segment == "Lainnya":
        institution = rng.choice(PUBLIC).format(c=rng.choice(COMPANIES))
        forms = [institution, institution, institution.lower()]
        region_forms = []
    else:
        institution = ""
        forms = list(UNUSABLE_INSTITUTIONS)
        region_forms = []
    if segment != "Pemda":
        region_forms = list(UNRESOLVABLE_REGIONS) + [citizen.name, institution or citizen.name]
        region_forms = [f for f in region_forms if R.normalise(f) is None]
    forms = [f for f in dict.fromkeys(forms) if classify_institution(f) == segment]
    assert forms and region_forms, (citizen.index, segment, institution)
    organization = institution if institution and rng.random() < 0.5 else None
    return Person(citizen, segment, lg, institution, organization, email, tuple(region_forms), tuple(forms))


@dataclass(frozen=True)
class People:
    """Every user of the world for a seed, by segment (Pemda users by local government)."""

    by_index: dict[int, Person]
    by_segment: dict[str, list[int]]
    by_local_government: dict[str, list[int]]


@lru_cache(maxsize=4)
def people(seed: int) -> People:
    pop = Population(seed)
    citizens = [pop.citizen(i) for i in range(pop.size)]
    lgs = R.local_governments()
    order = list(range(len(lgs)))
    random.Random(f"{seed}/plan/lg-assignment").shuffle(order)
    by_index: dict[int, Person] = {}
    by_segment: dict[str, list[int]] = defaultdict(list)
    by_lg: dict[str, list[int]] = defaultdict(list)
    k = 0
    for c in citizens:
        segment = _segment_of(c, seed)
        lg = None
        if segment == "Pemda":
            lg = lgs[order[k % len(lgs)]]
            k += 1
            by_lg[lg.code].append(c.index)
        by_index[c.index] = _make_person(seed, c, segment, lg)
        by_segment[segment].append(c.index)
    assert len(by_lg) == len(lgs), "every local government needs a user"
    return People(by_index, dict(by_segment), dict(by_lg))


# --------------------------------------------------------------- the records


@dataclass(frozen=True)
class Consultation:
    """One consultation of the plan. Times are aware UTC datetimes."""

    key: str  # "<month>/<channel>/<seq>", unique in the world
    month: str
    channel: str
    seq: int  # 0.. in creation order within (month, channel)
    person: Person
    region_text: str | None  # as the user typed it
    institution_text: str | None  # as the user typed it
    created_at: datetime
    topic: str
    agent: str
    is_escalated: bool
    rating: int | None
    is_boundary: bool  # placed in the first hours of the month (previous month in UTC)

    @property
    def segment(self) -> str:
        return self.person.segment

    @property
    def region(self) -> R.Region | None:
        return self.person.region

    @property
    def is_identified(self) -> bool:
        """Whether the time zone is known: the typed region resolves (Pemda users)."""
        return self.person.region is not None

    @property
    def timezone(self) -> str | None:
        return self.person.region.timezone if self.person.region else None

    @property
    def is_within_service_hours(self) -> bool | None:
        tz = self.timezone
        return None if tz is None else is_within_service_hours(self.created_at, tz)

    @property
    def local_government(self) -> R.Region | None:
        """The local government counted in "Pemda Pengguna Terbanyak" (Pemda users only)."""
        return self.person.region if self.segment == "Pemda" else None


@dataclass
class MonthPlan:
    month: str
    counts: dict[str, int]
    consultations: list[Consultation] = field(default_factory=list)  # by creation time

    def for_channel(self, channel: str) -> list[Consultation]:
        """The channel's consultations in creation order (``seq`` 0, 1, ...)."""
        return [c for c in self.consultations if c.channel == channel]

    def __len__(self) -> int:
        return len(self.consultations)


# ------------------------------------------------------------ year allocation


def apportion(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder)."""
    if total == 0 or not weights:
        return [0] * len(weights)
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    for i in sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))[:rest]:
        out[i] += 1
    return out


@dataclass(frozen=True)
class _MonthAlloc:
    total: int
    segments: dict[str, int]
    lg_tokens: tuple[str, ...]  # one local-government code per Pemda consultation


def _default_segments(seed: int, month: str, total: int) -> dict[str, int]:
    rng = random.Random(f"{seed}/plan/segments/{month}")
    out = {s: round(total * rng.uniform(*DEFAULT_SEGMENT_SHARES[s])) for s in DEFAULT_SEGMENT_SHARES}
    out["Pemda"] = total - sum(out.values())
    return {s: out[s] for s in SEGMENTS}


@lru_cache(maxsize=4)
def _year_alloc(seed: int, year: int) -> dict[str, _MonthAlloc]:
    """Segments and local governments of every month of a year with ``YEAR_TARGETS``."""
    yt = YEAR_TARGETS[year]
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    totals = {m: sum(channel_counts(seed, m).values()) for m in months}
    fixed = {m: MONTH_TARGETS[m] for m in months if m in MONTH_TARGETS}
    free = [m for m in months if m not in fixed]
    rng = random.Random(f"{seed}/plan/year/{year}")

    # Segments: fixed months as given, the year's rest spread over the free months.
    seg: dict[str, dict[str, int]] = {m: dict(fixed[m].segments) for m in fixed}
    for m in free:
        seg[m] = {}
    year_total = sum(totals.values())
    targets = dict(yt.segments)
    targets["unclassified"] = year_total - sum(yt.segments.values())
    for s in ("Akademisi", "Kementerian/Lembaga", "Lainnya", "unclassified"):
        rest = targets[s] - sum(seg[m][s] for m in fixed)
        if s == "unclassified":  # fewer and fewer as the registration form asks for it
            weights = [totals[m] * (12 - i) for i, m in enumerate(free)]
        else:
            weights = [totals[m] * rng.uniform(0.85, 1.15) for m in free]
        for m, n in zip(free, apportion(rest, weights), strict=False):
            seg[m][s] = n
    for m in free:
        seg[m]["Pemda"] = totals[m] - sum(seg[m].values())
        assert seg[m]["Pemda"] > 0.6 * totals[m], (m, seg[m])
    for m in fixed:
        assert sum(seg[m].values()) == totals[m], f"{m}: segments {sum(seg[m].values())} != {totals[m]}"
    assert sum(seg[m]["Pemda"] for m in months) == yt.segments["Pemda"]

    # Local governments: the year's total per local government, then the fixed months, then the rest.
    lgs = [r.code for r in R.local_governments()]
    year_fixed = {R.by_label(k).code: v for k, v in yt.top_local_governments.items()}
    month_top = {m: {R.by_label(k).code: v for k, v in fixed[m].top_local_governments.items()} for m in fixed}
    year_pemda = yt.segments["Pemda"]
    cap = yt.other_local_governments_max
    r_total: dict[str, int] = dict(year_fixed)
    at_least: dict[str, int] = Counter()
    for tops in month_top.values():
        for code, v in tops.items():
            at_least[code] += v
    free_lgs = [c for c in lgs if c not in year_fixed]
    mean = (year_pemda - sum(year_fixed.values())) / len(free_lgs)
    for code in free_lgs:
        lo = max(1, at_least.get(code, 0))
        r_total[code] = min(cap, max(lo, round(rng.gauss(mean, 4.5))))
    diff = year_pemda - sum(r_total.values())
    while diff:
        code = rng.choice(free_lgs)
        lo = max(1, at_least.get(code, 0))
        if diff > 0 and r_total[code] < cap:
            r_total[code] += 1
            diff -= 1
        elif diff < 0 and r_total[code] > lo:
            r_total[code] -= 1
            diff += 1

    left = dict(r_total)
    month_lgs: dict[str, list[str]] = {}
    for m in sorted(fixed):
        tops = month_top[m]
        others_max = fixed[m].other_local_governments_max
        need = seg[m]["Pemda"] - sum(tops.values())
        pool = [c for c in lgs if c not in tops for _ in range(left[c])]
        for attempt in range(1000):
            picked = Counter(random.Random(f"{seed}/plan/lg/{m}/{attempt}").sample(pool, need))
            if max(picked.values()) <= others_max:
                break
        else:  # pragma: no cover - astronomically unlikely
            raise RuntimeError(f"cannot place {m}'s local governments under {others_max}")
        counts = Counter(tops) + picked
        for c, n in counts.items():
            left[c] -= n
        month_lgs[m] = [c for c, n in sorted(counts.items()) for _ in range(n)]
    assert all(v >= 0 for v in left.values())
    tokens = [c for c in lgs for _ in range(left[c])]
    rng.shuffle(tokens)
    i = 0
    for m in free:
        n = seg[m]["Pemda"]
        month_lgs[m] = tokens[i : i + n]
        i += n
    assert i == len(tokens)
    return {m: _MonthAlloc(totals[m], seg[m], tuple(month_lgs[m])) for m in months}


@lru_cache(maxsize=64)
def _lg_weights(seed: int) -> tuple[list[str], list[float]]:
    rng = random.Random(f"{seed}/plan/lg-activity")
    codes = [r.code for r in R.local_governments()]
    return codes, [max(0.2, rng.gauss(1.0, 0.35)) for _ in codes]


def _month_alloc(seed: int, month: str) -> _MonthAlloc:
    year = int(month[:4])
    if year in YEAR_TARGETS:
        return _year_alloc(seed, year)[month]
    total = sum(channel_counts(seed, month).values())
    segments = _default_segments(seed, month, total)
    codes, weights = _lg_weights(seed)
    rng = random.Random(f"{seed}/plan/lg/{month}")
    return _MonthAlloc(total, segments, tuple(rng.choices(codes, weights, k=segments["Pemda"])))


# ------------------------------------------------------------------ times


def _local_instant(day: date, seconds: int, tz: str) -> datetime:
    off = timezone(timedelta(hours=R.TIMEZONES[tz][0]))
    return (datetime.combine(day, time(0, 0), off) + timedelta(seconds=seconds)).astimezone(UTC)


def _within_time(rng: random.Random, month: str, tz: str) -> datetime:
    days = [d for d in month_days(month) if is_service_day(d)]
    while True:
        seconds = rng.randrange(8 * 3600, 17 * 3600)
        if not (12 * 3600 <= seconds < 13 * 3600) or rng.random() < 0.4:
            break
    return _local_instant(rng.choice(days), seconds, tz)


def _phone_time(rng: random.Random, month: str, tz: str | None) -> datetime:
    """A call the queue takes (08:02-16:25 WIB, service days), in the user's own service hours."""
    days = [d for d in month_days(month) if is_service_day(d)]
    offset = 0 if tz is None else R.TIMEZONES[tz][0] - R.TIMEZONES["WIB"][0]  # hours ahead of WIB
    lo = PHONE_FIRST_ARRIVAL
    hi = min(PHONE_LAST_ARRIVAL, (SERVICE_END.hour - offset) * 3600 - 60)
    while True:
        seconds = rng.randrange(lo, hi)
        if not (12 * 3600 <= seconds < 13 * 3600) or rng.random() < 0.45:
            return _local_instant(rng.choice(days), seconds, "WIB")


def _outside_time(rng: random.Random, month: str, tz: str) -> datetime:
    days = month_days(month)
    closed = [d for d in days if not is_service_day(d)]
    while True:
        if closed and rng.random() < 0.35:
            at = _local_instant(rng.choice(closed), rng.randrange(6 * 3600, 22 * 3600), tz)
        else:
            band = rng.choices([(0, 6), (6, 8), (17, 22), (22, 24)], [1, 3, 8, 2])[0]
            at = _local_instant(rng.choice(days), rng.randrange(band[0] * 3600, band[1] * 3600), tz)
        if local_month(at) == month and not is_within_service_hours(at, tz):
            return at


# ------------------------------------------------------------------- a month


def plan_month(seed: int, month: str, counts: dict[str, int] | None = None, *, boundary: bool = True) -> MonthPlan:
    """Every consultation of ``month`` ("YYYY-MM") for ``counts`` (default ``channel_counts``).

    Deterministic by (seed, month, counts, boundary), independent of any other
    month. With the default counts every figure of ``MONTH_TARGETS`` /
    ``YEAR_TARGETS`` holds; other counts keep the month's proportions.
    ``boundary``: 1-2 Email Call Center consultations in the first hours of the
    1st (Asia/Jakarta), i.e. still the previous month in UTC.
    """
    default = channel_counts(seed, month)
    counts = dict(default if counts is None else counts)
    total = sum(counts.values())
    alloc = _month_alloc(seed, month)
    mt = MONTH_TARGETS.get(month) if counts == default else None
    ppl = people(seed)
    rng = random.Random(f"{seed}/plan/{month}/slots")

    # Segments and local governments of the month's consultations.
    if total == alloc.total:
        seg_counts = dict(alloc.segments)
        lg_tokens = list(alloc.lg_tokens)
    else:
        seg_counts = dict(zip(SEGMENTS, apportion(total, [alloc.segments[s] + 1e-9 for s in SEGMENTS]), strict=False))
        lg_tokens = list(alloc.lg_tokens)
        while len(lg_tokens) < seg_counts["Pemda"]:
            lg_tokens.append(rng.choice(list(alloc.lg_tokens) or [r.code for r in R.local_governments()]))
        lg_tokens = lg_tokens[: seg_counts["Pemda"]]
    slots = [ch for ch in CHANNELS for _ in range(counts.get(ch, 0))]
    labels = [s for s in SEGMENTS for _ in range(seg_counts[s])]
    rng.shuffle(labels)
    rng.shuffle(lg_tokens)

    # Who: a user of the segment (of the local government for Pemda).
    prng = random.Random(f"{seed}/plan/{month}/people")
    lg_iter = iter(lg_tokens)
    persons: list[Person] = []
    for s in labels:
        if s == "Pemda":
            pool = ppl.by_local_government[next(lg_iter)]
        else:
            pool = ppl.by_segment[s]
        persons.append(ppl.by_index[prng.choice(pool)])

    # When: outside service hours for some identified users, exact where targeted.
    trng = random.Random(f"{seed}/plan/{month}/times")
    n = len(slots)
    outside = [False] * n
    by_zone: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(persons):
        if p.region is not None:
            by_zone[p.region.timezone].append(i)
    if mt is not None:
        for tz in TIMEZONES:
            cands = by_zone.get(tz, [])
            weights = [OUTSIDE_CHANNEL_WEIGHT[slots[i]] for i in cands]
            for i in _weighted_sample(trng, cands, weights, mt.outside_service_hours.get(tz, 0)):
                outside[i] = True
    else:
        for cands in by_zone.values():
            for i in cands:
                outside[i] = trng.random() < DEFAULT_OUTSIDE_SHARE * OUTSIDE_CHANNEL_WEIGHT[slots[i]]
    boundary_slots: set[int] = set()
    if boundary:
        email_unidentified = [i for i in range(n) if slots[i] == "email_call_center" and persons[i].region is None]
        k = min(len(email_unidentified), trng.randint(1, 2))
        boundary_slots = set(trng.sample(email_unidentified, k))
    created: list[datetime] = []
    for i in range(n):
        p = persons[i]
        if i in boundary_slots:
            created.append(boundary_timestamp(trng, month))
        elif slots[i] == "phone":
            created.append(_phone_time(trng, month, p.region.timezone if p.region else None))
        elif p.region is None:
            created.append(local_timestamp(trng, month, UNIDENTIFIED_PATTERN[slots[i]]))
        elif outside[i]:
            created.append(_outside_time(trng, month, p.region.timezone))
        else:
            created.append(_within_time(trng, month, p.region.timezone))

    _space_whatsapp_users(random.Random(f"{seed}/plan/{month}/spacing"), month, slots, persons, created, ppl)

    # What: escalations (exact where targeted), topics, agents, ratings.
    crng = random.Random(f"{seed}/plan/{month}/content")
    if mt is not None:
        n_escalated = mt.escalated
    else:
        n_escalated = round(n * crng.uniform(*DEFAULT_ESCALATION_SHARE))
    escalated = set(crng.sample(range(n), min(n, n_escalated)))
    topics, agents, ratings = [], [], []
    rating_values = mt.ratings if mt is not None else tuple(RATING_WEIGHTS)
    rating_weights = [RATING_WEIGHTS.get(v, 1) for v in rating_values]
    for i, ch in enumerate(slots):
        if i in escalated:
            topics.append(crng.choices(list(ESCALATION_TOPICS), list(ESCALATION_TOPICS.values()))[0])
        else:
            tw = TOPIC_WEIGHTS[ch]
            topics.append(crng.choices(list(tw), list(tw.values()))[0])
        agents.append(crng.choices(AGENTS, AGENT_WEIGHTS[ch])[0])
        rated = crng.random() < RATING_SHARE[ch]
        value = crng.choices(rating_values, rating_weights)[0]
        ratings.append(value if rated else None)
    _ensure_rating_rule(
        crng, persons, agents, ratings, rating_values[0], rateable=[RATING_SHARE[ch] > 0 for ch in slots]
    )

    # How they typed it.
    yrng = random.Random(f"{seed}/plan/{month}/typing")
    records = []
    for i, ch in enumerate(slots):
        p = persons[i]
        region_text = _messy(yrng, yrng.choice(p.region_forms))
        institution_text = yrng.choice(p.institution_forms)
        records.append((created[i], ch, i, p, region_text, institution_text))
    records.sort(key=lambda r: (r[0], r[2]))
    seqs: Counter[str] = Counter()
    plan = MonthPlan(month, counts)
    for at, ch, i, p, region_text, institution_text in records:
        seq = seqs[ch]
        seqs[ch] += 1
        plan.consultations.append(
            Consultation(
                key=f"{month}/{ch}/{seq}",
                month=month,
                channel=ch,
                seq=seq,
                person=p,
                region_text=region_text,
                institution_text=institution_text,
                created_at=at,
                topic=topics[i],
                agent=agents[i],
                is_escalated=i in escalated,
                rating=ratings[i],
                is_boundary=i in boundary_slots,
            )
        )
    return plan


def _weighted_sample(rng: random.Random, items: list[int], weights: list[float], k: int) -> list[int]:
    """``k`` distinct items, each draw proportional to its weight."""
    items, weights = list(items), list(weights)
    if k > len(items):
        raise ValueError(f"cannot pick {k} of {len(items)}")
    out = []
    for _ in range(k):
        j = rng.choices(range(len(items)), weights)[0]
        out.append(items.pop(j))
        weights.pop(j)
    return out


def _ensure_rating_rule(
    rng: random.Random,
    persons: list[Person],
    agents: list[str],
    ratings: list[int | None],
    value: int,
    rateable: list[bool],
) -> None:
    """Every agent gets >= 5 ratings from >= 5 different users in the month."""
    for agent in AGENTS:
        mine = [i for i, a in enumerate(agents) if a == agent and rateable[i]]
        rated = [i for i in mine if ratings[i] is not None]
        raters = {persons[i].index for i in rated}
        candidates = [i for i in mine if ratings[i] is None]
        rng.shuffle(candidates)
        for i in candidates:
            if len(rated) >= MIN_RATINGS_PER_AGENT and len(raters) >= MIN_RATINGS_PER_AGENT:
                break
            if persons[i].index in raters and len(rated) >= MIN_RATINGS_PER_AGENT:
                continue
            ratings[i] = value
            rated.append(i)
            raters.add(persons[i].index)


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7])


def _space_whatsapp_users(
    rng: random.Random, month: str, slots: list[str], persons: list[Person], created: list[datetime], ppl: People
) -> None:
    """Give WhatsApp consultations other users of the same segment (and local government)
    where one user's consultations would come closer than ``WHATSAPP_SPACING``.

    Across months (a plan month never sees another) the first and last days of a
    month take users whose index has the month's parity, so the end of one month and
    the start of the next (the other parity) never share a user, wherever a user of
    that parity is free. Only who changes, so every aggregate holds.
    """
    parity = _month_index(month) % 2
    days = month_days(month)
    head_end = _local_instant(days[0], 0, "WIB") + WHATSAPP_SPACING
    tail_start = _local_instant(days[-1], 24 * 3600, "WIB") - WHATSAPP_SPACING
    taken: dict[int, list[datetime]] = defaultdict(list)

    def fits(idx: int, at: datetime, strict: bool = True) -> bool:
        if strict and (at < head_end or at >= tail_start) and idx % 2 != parity:
            return False
        return all(abs(at - t) >= WHATSAPP_SPACING for t in taken[idx])

    for i in sorted((i for i, ch in enumerate(slots) if ch == "whatsapp"), key=lambda i: created[i]):
        p, at = persons[i], created[i]
        if not fits(p.index, at):
            pool = (
                ppl.by_local_government[p.region.code]
                if p.segment == "Pemda" and p.region
                else ppl.by_segment[p.segment]
            )
            free = [k for k in pool if fits(k, at)] or [k for k in pool if fits(k, at, strict=False)]
            if not free:
                raise RuntimeError(f"plan {month}: no {p.segment} user free for a WhatsApp consultation at {at}")
            persons[i] = p = ppl.by_index[rng.choice(free)]
        taken[p.index].append(at)


def _messy(rng: random.Random, text: str | None) -> str | None:
    """Harmless slips that the normalisation absorbs: spacing, case, a trailing dot."""
    if not text:
        return text
    draw = rng.random()
    if draw < 0.05:
        return f" {text} "
    if draw < 0.09:
        return text.replace(" ", "  ", 1)
    if draw < 0.12:
        return text.lower()
    if draw < 0.14:
        return text + "."
    return text


def iter_plan(seed: int, start: str, end: str) -> Iterator[MonthPlan]:
    """One ``MonthPlan`` per month of [start, end) (month-granular, end exclusive), streamed."""
    for month in iter_months(start, end):
        yield plan_month(seed, month)


__all__ = [
    "AGENTS",
    "CHANNELS",
    "SEGMENTS",
    "TOPICS",
    "Consultation",
    "MonthPlan",
    "Person",
    "channel_counts",
    "classify_institution",
    "is_within_service_hours",
    "iter_plan",
    "people",
    "plan_month",
]
