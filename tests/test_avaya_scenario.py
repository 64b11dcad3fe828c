"""The Avaya stand-in renders the consultation plan (no warehouse, no dbt).

The CDR it writes for December 2023, read record by record as the collector's file
holds it, gives exactly the plan's phone consultations: one answered call to the
consultation VDN each, arriving at the plan's second (UCID timestamp) and, as the
pipeline dates it (answer minute - wait), in the same service hours; answered by
the plan's agent, who is logged in that day and whose CMS intervals count the call;
a conference iff escalated; and an account code that reads back, through the seeds
alone, to the plan's topic, segment and local government.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from extractors.avaya import cdr as cdr_format
from simulators.avaya import cdr_text
from simulators.scenario import regions as R
from simulators.scenario.avaya import (
    AREA_CODES,
    CALLER_TYPES,
    CONSULTATION,
    HELPDESK,
    TOPIC_CODES,
    AvayaScenario,
    account_code,
    parse_account_code,
)
from simulators.scenario.consultations import channel_counts, classify_institution, is_within_service_hours, plan_month
from simulators.scenario.world import LOCAL_TZ, local_month

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "dbt_project" / "seeds"
SEED = 2023
MONTH = "2023-12"
AGENT_BY_LOGID = {a.logid: a.name for a in CONSULTATION.agents}


def seed_rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def month():
    return AvayaScenario(SEED).month(MONTH)


@pytest.fixture(scope="module")
def planned():
    return plan_month(SEED, MONTH).for_channel("phone")


@pytest.fixture(scope="module")
def records(month):
    """The month's CDR records as the collector writes them, parsed back (garbled lines aside)."""
    return [cdr_format.parse_line(cdr_text(r)) for r in month.cdr if not r.garbled]


@pytest.fixture(scope="module")
def hotline_calls(records):
    """Answered calls to the consultation VDN: UCID -> {condition code: record}."""
    by_ucid: dict[str, dict[str, dict]] = defaultdict(dict)
    for r in records:
        if r["vdn"] == CONSULTATION.vdn:
            assert r["cond_code"] not in by_ucid[r["ucid"]], r
            by_ucid[r["ucid"]][r["cond_code"]] = r
    return {u: recs for u, recs in by_ucid.items() if "G" in recs}


def read_account_code(code: str) -> tuple[str, str, str | None]:
    """(topic, segment, region code) of an account code, from the seeds and the dbt rules' Python twins only."""
    topics = {r["acct_code"]: r["topic"] for r in seed_rows("avaya_account_codes")}
    types = {r["caller_type"]: r["institution_text"] for r in seed_rows("avaya_caller_types")}
    labels = {r["region_code"]: r["region_label"] for r in seed_rows("ref_regions")}
    assert re.fullmatch(r"\d{3}(\d{2}|\d{4})?", code), code
    segment = classify_institution(types[code[2]] or None)  # what fct_consultations makes of the text
    digits, region = code[3:], None
    if digits.strip("0"):
        region_code = digits[:2] if len(digits) == 2 or digits[2:] == "00" else f"{digits[:2]}.{digits[2:]}"
        region = R.normalise(labels[region_code])  # the label, resolved as fct_consultations resolves it
        assert region == region_code
    return topics[code[:2]], segment, region


def arrival_as_the_pipeline_dates_it(g: dict) -> dt.datetime:
    """The G record's minute (answer, switch local time) less its duration (the wait)."""
    hh, mm = divmod(g["call_time"], 100)
    answered = dt.datetime.combine(dt.date.fromisoformat(g["call_date"]), dt.time(hh, mm), LOCAL_TZ)
    return answered - dt.timedelta(seconds=g["duration_seconds"])


# --------------------------------------------------------------------- the plan


def test_the_answered_hotline_calls_are_the_plans_phone_consultations(hotline_calls, planned):
    assert len(planned) == len(hotline_calls) == channel_counts(SEED, MONTH)["phone"] == 149
    want = Counter(
        (
            int(c.created_at.timestamp()),
            c.agent,
            c.topic,
            c.segment,
            c.local_government.code if c.local_government else None,
            c.is_escalated,
        )
        for c in planned
    )
    got = Counter()
    for ucid, recs in hotline_calls.items():
        talk = recs.get("C") or recs["9"]
        assert talk["dialed_num"] == recs["G"]["dialed_num"]  # the agent who answered talked
        topic, segment, region = read_account_code(talk["acct_code"])
        got[(int(ucid[-10:]), AGENT_BY_LOGID[recs["G"]["dialed_num"]], topic, segment, region, "C" in recs)] += 1
    assert got == want


def test_every_consultation_call_is_dated_inside_the_month_and_the_callers_service_hours(hotline_calls, planned):
    """The pipeline's time (answer minute - wait) is at most 59 s before the true arrival
    (the UCID's timestamp = the plan's created_at): still in the month and, thanks to the
    plan's 08:02 margin, in the caller's service hours."""
    by_second: dict[int, list] = defaultdict(list)
    for c in planned:
        by_second[int(c.created_at.timestamp())].append(c)
    for ucid, recs in hotline_calls.items():
        arrived = arrival_as_the_pipeline_dates_it(recs["G"])
        true_arrival = dt.datetime.fromtimestamp(int(ucid[-10:]), dt.UTC)
        assert dt.timedelta(0) <= true_arrival - arrived < dt.timedelta(minutes=1)
        assert local_month(arrived) == MONTH
        assert dt.time(8, 1) <= arrived.astimezone(LOCAL_TZ).time() < dt.time(16, 30)
        for c in by_second[int(ucid[-10:])]:
            if c.timezone is not None:
                assert c.is_within_service_hours is True
                assert is_within_service_hours(arrived, c.timezone), (c.key, arrived)


def test_the_caller_is_the_plans_citizen(month, planned):
    by_key = {c.key: c for c in planned}
    calls = [c for c in month.calls if c.queue.is_consultation and c.outcome == "answered"]
    assert sorted(c.plan_key for c in calls) == sorted(by_key)
    for call in calls:
        c = by_key[call.plan_key]
        assert call.citizen == c.person.citizen.index
        if call.calling_num is None:
            continue  # withheld
        national = "0" + call.calling_num[2:] if call.calling_num.startswith("62") else call.calling_num
        if national.startswith("08"):
            assert national == "0" + c.person.phone[3:]
        elif c.local_government is not None:  # a local-government office: its area code
            r = c.local_government
            assert national.startswith(AREA_CODES[f"{r.kind}:{r.short_name}"]), (c.key, national)
        else:  # a central-government office (in Jakarta, or a KPPN/Kanwil in the regions)
            r = c.person.citizen.region
            assert c.segment == "Kementerian/Lembaga" and r is not None, (c.key, national)
            assert national.startswith(AREA_CODES[f"{r.kind}:{r.name}"]), (c.key, national)


def test_the_answering_agent_is_logged_in_and_cms_counts_the_call_in_its_interval(month, records):
    """Per day, half hour and agent: CDR call records of answered ACD calls = hagent acdcalls."""
    logged_in = {(r["row_date"].isoformat(), r["logid"]) for r in month.hagent}
    cdr = Counter()
    for r in records:
        if r["vdn"] in (CONSULTATION.vdn, HELPDESK.vdn) and r["cond_code"] in ("9", "C"):
            assert (r["call_date"], r["dialed_num"]) in logged_in, r
            cdr[
                (
                    r["call_date"],
                    r["call_time"] // 100 * 100 + (30 if r["call_time"] % 100 >= 30 else 0),
                    r["dialed_num"],
                )
            ] += 1
    cms = Counter()
    for r in month.hagent:
        if r["acdcalls"]:
            cms[(r["row_date"].isoformat(), r["starttime"], r["logid"])] += r["acdcalls"]
    assert cdr == cms


def test_every_month_answers_the_plans_count():
    counts = {}
    for m in AvayaScenario(SEED).months("2022-12-01", "2024-01-01"):
        counts[m.month] = sum(1 for c in m.calls if c.queue.is_consultation and c.outcome == "answered")
        assert counts[m.month] == channel_counts(SEED, m.month)["phone"]
    assert (counts["2022-12"], counts["2023-11"], counts["2023-12"]) == (102, 103, 149)
    assert sum(n for m, n in counts.items() if m.startswith("2023")) == 1508


# --------------------------------------------------------------- the account code


def test_the_seeds_are_the_simulators_codes():
    assert {r["acct_code"]: r["topic"] for r in seed_rows("avaya_account_codes")} == TOPIC_CODES
    topics = {r["topic_name"] for r in seed_rows("ref_topics")}
    assert set(TOPIC_CODES.values()) <= topics
    types = seed_rows("avaya_caller_types")
    assert {r["segment_name"]: r["caller_type"] for r in types} == CALLER_TYPES
    for r in types:  # the institution text passed on classifies, by ref_segment_rules, to the type's segment
        assert classify_institution(r["institution_text"] or None) == r["segment_name"], r


def test_account_codes_follow_the_convention(planned):
    wajo = next(c for c in planned if c.local_government and c.local_government.kind == "kab")
    code = account_code(wajo)
    assert len(code) == 7 and code[2] == "1" and code[3:] == wajo.local_government.code.replace(".", "")
    assert account_code(wajo, padded=True) == code
    for c in planned:
        for padded in (False, True):
            code = account_code(c, padded)
            assert len(code) == (
                7 if padded else 3 + len((c.local_government.code if c.local_government else "").replace(".", ""))
            )
            assert parse_account_code(code) == {
                "topic": c.topic,
                "segment": c.segment,
                "region_code": c.local_government.code if c.local_government else None,
            }
            assert read_account_code(code) == (
                c.topic,
                c.segment,
                c.local_government.code if c.local_government else None,
            )
    assert parse_account_code("24") == {"topic": "Aplikasi", "segment": None, "region_code": None}
    assert parse_account_code("151731") == {"topic": None, "segment": None, "region_code": None}


def test_the_mess_stays_outside_the_plan(month, hotline_calls, records):
    """Padded codes among the consultations (read alike); topic-only or no codes elsewhere."""
    codes = [(recs.get("C") or recs["9"])["acct_code"] for recs in hotline_calls.values()]
    assert all(c and len(c) in (3, 5, 7) for c in codes)
    assert any(c.endswith("0000") for c in codes) or any(c[3:5] != "00" and c.endswith("00") for c in codes)
    others = [r for r in records if r["ucid"] not in hotline_calls]
    assert {r["acct_code"] for r in others} - {None} <= set(TOPIC_CODES)
    assert any(r["acct_code"] for r in others if r["vdn"] == HELPDESK.vdn)
    assert all(r["acct_code"] is None for r in others if r["cond_code"] in ("H", "I"))
