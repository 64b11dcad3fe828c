"""The consultation plan alone (no pipeline): every published cross-channel figure holds exactly.

Figures: the December 2023 report (segments, time zones, service hours, top local
governments, escalations, agent ratings) and the 2023 year to date.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from simulators.scenario import regions as R
from simulators.scenario.calibration import CALIBRATION
from simulators.scenario.consultations import (
    AGENTS,
    CHANNELS,
    TOPICS,
    channel_counts,
    classify_institution,
    iter_plan,
    plan_month,
)

SEED = 2023
JAKARTA = ZoneInfo("Asia/Jakarta")
ZONES = {"WIB": ZoneInfo("Asia/Jakarta"), "WITA": ZoneInfo("Asia/Makassar"), "WIT": ZoneInfo("Asia/Jayapura")}


@pytest.fixture(scope="module")
def year():
    """Every consultation of 2023, month by month."""
    return {p.month: p for p in iter_plan(SEED, "2023-01-01", "2024-01-01")}


@pytest.fixture(scope="module")
def dec(year):
    return year["2023-12"].consultations


def holidays() -> set[date]:
    with open(R.Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "ref_public_holidays.csv") as fh:
        return {date.fromisoformat(r["holiday_date"]) for r in csv.DictReader(fh)}


def within_hours(at: datetime, tz: str, closed: set[date]) -> bool:
    """An independent reading of the service-hours rule, with zoneinfo."""
    local = at.astimezone(ZONES[tz])
    return local.weekday() < 5 and local.date() not in closed and 8 <= local.hour < 17


# ------------------------------------------------------------------ volumes


def test_channel_counts_are_the_published_ones():
    assert channel_counts(SEED, "2023-12") == {
        "whatsapp": 1118,
        "phone": 149,
        "hai_kemenkeu": 56,
        "live_chat": 20,
        "email_call_center": 126,
    }
    assert sum(channel_counts(SEED, "2023-11").values()) == 1271
    assert sum(channel_counts(SEED, "2022-12").values()) == 1305
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    assert sum(channel_counts(SEED, m)["whatsapp"] for m in months) == 14310
    assert sum(channel_counts(SEED, m)["phone"] for m in months) == 1508
    assert sum(sum(channel_counts(SEED, m).values()) for m in months) == 18008
    for m in months:  # Deskpro's come from calibration.py
        for ch, fixed in CALIBRATION["deskpro"].items():
            if m in fixed:
                assert channel_counts(SEED, m)[ch] == fixed[m]


def test_each_month_plans_exactly_its_counts_in_its_jakarta_month(year):
    for month, plan in year.items():
        assert Counter(c.channel for c in plan.consultations) == Counter(channel_counts(SEED, month))
        assert all(c.created_at.astimezone(JAKARTA).strftime("%Y-%m") == month for c in plan.consultations)
        assert [c.created_at for c in plan.consultations] == sorted(c.created_at for c in plan.consultations)
        for ch in CHANNELS:
            assert [c.seq for c in plan.for_channel(ch)] == list(range(channel_counts(SEED, month)[ch]))
    keys = [c.key for p in year.values() for c in p.consultations]
    assert len(keys) == len(set(keys))
    # the boundary: some consultations of every month are still the previous month in UTC
    assert all(
        any(c.is_boundary and c.created_at.strftime("%Y-%m") != m for c in p.consultations) for m, p in year.items()
    )


# ------------------------------------------------------------ December 2023


def test_december_segments(dec):
    assert len(dec) == 1469
    assert Counter(c.segment for c in dec) == {"Akademisi": 66, "Pemda": 1251, "Kementerian/Lembaga": 70, "Lainnya": 82}


def test_december_time_zones_and_service_hours(dec):
    closed = holidays()
    identified = [c for c in dec if c.is_identified]
    assert (len(identified), len(dec) - len(identified)) == (1251, 218)
    outside = Counter(c.timezone for c in identified if not within_hours(c.created_at, c.timezone, closed))
    assert sum(outside.values()) == 50 and len(identified) - 50 == 1201
    assert outside == {"WIB": 27, "WITA": 16, "WIT": 7}
    # the plan's own flag agrees with the independent reading
    assert all(c.is_within_service_hours == within_hours(c.created_at, c.timezone, closed) for c in identified)
    assert all(c.is_within_service_hours is None and c.timezone is None for c in dec if not c.is_identified)
    # outside-hours consultations include holidays (Christmas, cuti bersama) and weekends
    days = {c.created_at.astimezone(ZONES[c.timezone]).date() for c in identified if not c.is_within_service_hours}
    assert days & closed or any(d.weekday() >= 5 for d in days)


def test_december_top_local_governments(dec):
    lg = Counter(c.local_government.label for c in dec if c.segment == "Pemda")
    top = {"Kab. Wajo": 15, "Prov. Sumatera Barat": 15, "Prov. Riau": 13, "Prov. Sulawesi Utara": 13, "Kab. Kediri": 13}
    assert {k: lg[k] for k in top} == top
    assert max(v for k, v in lg.items() if k not in top) <= 12
    assert sum(lg.values()) == 1251


def test_december_escalations(dec):
    escalated = [c for c in dec if c.is_escalated]
    assert len(escalated) == 144
    assert {c.topic for c in escalated} <= {"PDRD", "DAU", "JF AKPD", "Reservasi"}
    assert {c.topic for c in dec} <= set(TOPICS)


def test_december_ratings_all_five_and_the_agent_rule(dec):
    rated = [c for c in dec if c.rating is not None]
    assert rated and {c.rating for c in rated} == {5}
    assert {c.agent for c in dec} == set(AGENTS)
    for agent in AGENTS:
        mine = [c for c in rated if c.agent == agent]
        assert len(mine) >= 5 and len({c.person.index for c in mine}) >= 5, agent


# ------------------------------------------------------------ 2023 year to date


def test_year_to_date_segments(year):
    seg = Counter(c.segment for p in year.values() for c in p.consultations)
    assert seg == {"Akademisi": 568, "Pemda": 12724, "Kementerian/Lembaga": 923, "Lainnya": 2041, "unclassified": 1752}
    assert sum(seg.values()) == 18008
    # the unclassified ones have no usable institution at all
    unclassified = [c for p in year.values() for c in p.consultations if c.segment == "unclassified"]
    assert all(R.clean(c.institution_text) in ("", "n a", "tidak ada", "x", "xxx") for c in unclassified)


def test_year_to_date_top_local_governments(year):
    lg = Counter(c.local_government.label for p in year.values() for c in p.consultations if c.segment == "Pemda")
    top = {
        "Kab. Probolinggo": 56,
        "Prov. Kalimantan Barat": 44,
        "Kab. Padang Lawas": 34,
        "Kota Banjar": 34,
        "Kab. Brebes": 31,
    }
    assert {k: lg[k] for k in top} == top
    assert max(v for k, v in lg.items() if k not in top) <= 30
    assert len(lg) == 546  # every local government got in touch at least once


def test_every_month_keeps_the_agent_rule(year):
    for month, plan in year.items():
        raters = defaultdict(set)
        count = Counter()
        for c in plan.consultations:
            if c.rating is not None:
                raters[c.agent].add(c.person.index)
                count[c.agent] += 1
        assert all(count[a] >= 5 and len(raters[a]) >= 5 for a in AGENTS), month


# ---------------------------------------------------------------- consistency


def test_typed_text_resolves_exactly_as_planned(year):
    closed = holidays()
    for plan in year.values():
        for c in plan.consultations:
            code = R.normalise(c.region_text)
            if c.is_identified:
                assert code == c.region.code, (c.key, c.region_text)
                assert c.is_within_service_hours == within_hours(c.created_at, c.timezone, closed)
            else:
                assert code is None, (c.key, c.region_text)
            assert classify_institution(c.institution_text) == c.segment, (c.key, c.institution_text)


def test_users_return_across_months_and_channels(year):
    months_of = defaultdict(set)
    channels_of = defaultdict(set)
    for m, plan in year.items():
        for c in plan.consultations:
            months_of[c.person.index].add(m)
            channels_of[c.person.index].add(c.channel)
    assert sum(1 for ms in months_of.values() if len(ms) >= 3) > 500
    assert sum(1 for chs in channels_of.values() if len(chs) >= 2) > 300
    # a user is always of the same segment and local government
    seen = {}
    for plan in year.values():
        for c in plan.consultations:
            key = (c.segment, c.region.code if c.region else None)
            assert seen.setdefault(c.person.index, key) == key


def test_plan_is_deterministic_and_month_independent(year):
    again = plan_month(SEED, "2023-12")
    assert [(c.key, c.person.index, c.created_at, c.region_text, c.topic, c.rating) for c in again.consultations] == [
        (c.key, c.person.index, c.created_at, c.region_text, c.topic, c.rating) for c in year["2023-12"].consultations
    ]
    other = plan_month(7, "2023-12")
    assert [c.person.index for c in other.consultations] != [c.person.index for c in again.consultations]
    # the calibrated figures do not depend on the seed
    assert Counter(c.segment for c in other.consultations)["Pemda"] == 1251
    assert sum(c.is_escalated for c in other.consultations) == 144


def test_other_counts_keep_the_proportions():
    plan = plan_month(
        SEED, "2023-12", {"whatsapp": 10, "phone": 0, "hai_kemenkeu": 0, "live_chat": 0, "email_call_center": 5}
    )
    assert Counter(c.channel for c in plan.consultations) == {"whatsapp": 10, "email_call_center": 5}
    assert Counter(c.segment for c in plan.consultations)["Pemda"] >= 12


def test_months_without_targets_are_planned_too():
    plan = plan_month(SEED, "2022-12")
    assert len(plan) == 1305
    assert 0.6 < sum(c.segment == "Pemda" for c in plan.consultations) / 1305 < 0.9
    assert all(c.created_at.astimezone(JAKARTA).strftime("%Y-%m") == "2022-12" for c in plan.consultations)


# ------------------------------------------------------------------ reference data


def test_region_list_and_time_zones():
    regs = R.all_regions()
    assert Counter(r.kind for r in regs) == {"prov": 38, "kab": 416, "kota": 98}
    assert len(R.local_governments()) == 546  # without DKI Jakarta's administrative cities/regency
    assert R.region("73").label == "Prov. Sulawesi Selatan"
    assert R.region("73.13").label == "Kab. Wajo"
    assert R.by_label("Kota Banjar").code == "32.79" and R.by_label("Kab. Banjar").code == "63.03"
    assert R.region("13").label == "Prov. Sumatera Barat"
    zones = {
        "61": "WIB",
        "62": "WIB",
        "63": "WITA",
        "64": "WITA",
        "65": "WITA",
        "52": "WITA",
        "53": "WITA",
        "51": "WITA",
        "73": "WITA",
        "71": "WITA",
        "81": "WIT",
        "82": "WIT",
        "91": "WIT",
        "96": "WIT",
        "31": "WIB",
        "11": "WIB",
    }
    for code, tz in zones.items():
        assert R.region(code).timezone == tz, code
    assert all(r.timezone == R.region(r.province_code).timezone for r in regs)
    assert R.region("31.71").local_government_code == "31"


@pytest.mark.parametrize(
    "text, label",
    [
        ("Kab. Wajo", "Kab. Wajo"),
        ("kab wajo", "Kab. Wajo"),
        ("pemkab wajo", "Kab. Wajo"),
        ("BPKAD Kab. Wajo", "Kab. Wajo"),
        ("Kabupaten  Wajo.", "Kab. Wajo"),
        ("sumbar", "Prov. Sumatera Barat"),
        ("prov. sumbar", "Prov. Sumatera Barat"),
        ("dki", "Prov. DKI Jakarta"),
        ("jogja", "Prov. DI Yogyakarta"),
        ("kota pangkal pinang", "Kota Pangkal Pinang"),
        ("pangkalpinang", "Kota Pangkal Pinang"),
        ("Pemkab Kediri", "Kab. Kediri"),
        ("KOTA KEDIRI", "Kota Kediri"),
        ("Toli-Toli", "Kab. Toli-Toli"),
        ("Jakarta Pusat", "Kota Adm. Jakarta Pusat"),
        ("kediri", None),
        ("banjar", None),
        ("yogyakarta", None),
        ("Indonesia", None),
        ("-", None),
        ("", None),
        (None, None),
        ("Kab. Tomohon", None),
        ("pemkab", None),
        ("kota kab wajo", None),
    ],
)
def test_region_normalisation(text, label):
    code = R.normalise(text)
    assert (R.region(code).label if code else None) == label


def test_region_seeds_are_current(tmp_path):
    seeds = R.Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
    for path in R.write_seeds(tmp_path):
        assert path.read_text() == (seeds / path.name).read_text(), (
            f"rerun: python -m reference.regions --write-seeds {seeds}"
        )


def test_holiday_seed():
    closed = holidays()
    for d in ("2023-12-25", "2023-12-26", "2023-04-22", "2023-04-19", "2023-08-17", "2022-12-25", "2024-02-14"):
        assert date.fromisoformat(d) in closed
    assert date(2023, 12, 27) not in closed


@pytest.mark.parametrize(
    "text, segment",
    [
        ("BPKAD Kab. Wajo", "Pemda"),
        ("DPRD Provinsi Riau", "Pemda"),
        ("Pemerintah Desa Sukamaju", "Pemda"),
        ("Kepala Desa Mekarsari", "Pemda"),
        ("Pendamping Desa", "Lainnya"),
        ("Universitas Andalas", "Akademisi"),
        ("Guru SMA Negeri 1", "Akademisi"),
        ("Mahasiswa", "Akademisi"),
        ("BPK Perwakilan Prov. Riau", "Kementerian/Lembaga"),
        ("Kementerian Desa PDTT", "Kementerian/Lembaga"),
        ("Kanwil DJPb Prov. Sulawesi Selatan", "Kementerian/Lembaga"),
        ("Masyarakat umum", "Lainnya"),
        ("PT Sinar Jaya", "Lainnya"),
        ("Budi Santoso", "Lainnya"),
        ("-", "unclassified"),
        ("", "unclassified"),
        (None, "unclassified"),
        ("n/a", "unclassified"),
        ("tidak ada", "unclassified"),
    ],
)
def test_segment_rules(text, segment):
    assert classify_institution(text) == segment
