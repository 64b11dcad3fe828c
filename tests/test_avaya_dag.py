"""The `avaya` DAG end to end: stand-in landing folder -> raw -> dbt (Cosmos) -> mart and summary.

Real Airflow (dag.test()), real dbt, the stand-in's files. Asserts the December 2023
phone figures of the published report (149 answered, 103 in November, 102 in
December 2022) and the call center's own figures against the simulated world,
CDR/CMS reconciliation, the quarantine, that the phone rows of fct_consultations are
the consultation plan's phone consultations (segments, time zones, service hours,
local governments, escalations, topics, agents, from the CDR account codes), and
that a second run reads no file.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from simulators.scenario.avaya import generate_avaya_world
from simulators.scenario.consultations import plan_month

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world():
    return generate_avaya_world(2023)


@pytest.fixture(scope="module")
def loaded(pipeline_env):
    """The session's one `pipeline run` (tests/conftest.py) loaded every source, the avaya DAG
    included, and built every dbt node and test: a failing node fails that run."""
    return pipeline_env


def test_december_2023_answered_calls_with_comparisons(loaded, world):
    ((answered, prev, last_year, ytd, offered, abandoned, rate, asa, mom, yoy),) = loaded.query(
        """select calls_answered, calls_answered_prev_month, calls_answered_same_month_last_year,
                  calls_answered_ytd, calls_offered, calls_abandoned, abandon_rate, asa_seconds,
                  calls_answered_mom_change, calls_answered_yoy_change
           from marts.mart_monthly_phone where month = '2023-12-01'"""
    )
    assert (answered, prev, last_year, ytd) == (149, 103, 102, 1508)
    assert mom == pytest.approx((149 - 103) / 103) and yoy == pytest.approx((149 - 102) / 102)
    dec = world.figures[("consultation", "2023-12")]
    assert (offered, abandoned) == (dec.offered, dec.abandoned)
    assert rate == pytest.approx(dec.abandoned / dec.offered)
    assert asa == pytest.approx(dec.anstime / dec.answered)  # sum of answer time / answered calls


def test_phone_consultations_are_the_answered_calls_of_the_hotline(loaded):
    rows = loaded.query(
        """select to_char(created_at at time zone 'Asia/Jakarta', 'YYYY-MM') as month, count(*),
                  count(distinct consultation_id), bool_and(channel_key = 'phone' and source_system = 'avaya'),
                  array_agg(distinct agent_name order by agent_name)
           from intermediate.int_consultations__phone group by 1 order by 1"""
    )
    by_month = {m: (n, distinct, ok, agents) for m, n, distinct, ok, agents in rows}
    assert by_month["2023-12"][:3] == (149, 149, True)
    assert by_month["2023-11"][0] == 103 and by_month["2022-12"][0] == 102
    assert sum(n for m, (n, *_) in by_month.items() if m.startswith("2023")) == 1508
    assert by_month["2023-12"][3] == ["Anas", "Dian", "Hanna", "Linna", "Nuryani"]
    # who called comes from the account code: a region for local-government callers only, every one a label
    ((regions, pemda, total, labelled),) = loaded.query(
        """select count(region_text), count(*) filter (where institution_text = 'pemda'), count(*),
                  count(*) filter (where region_text in (select region_label from seeds.ref_regions))
           from intermediate.int_consultations__phone"""
    )
    assert 0 < regions == pemda == labelled < total
    statuses = loaded.query("""select acct_code_status, count(*) from intermediate.int_phone__calls
                               where is_consultation and outcome = 'answered' group by 1""")
    assert statuses == [("complete", 1610)]


def test_december_2023_phone_rows_of_fct_consultations_are_the_plans_phone_consultations(loaded):
    planned = plan_month(2023, "2023-12").for_channel("phone")
    cols = [
        "source_record_id",
        "created_at",
        "segment",
        "is_timezone_identified",
        "timezone",
        "is_within_service_hours",
        "local_government_name",
        "is_escalated",
        "topic",
        "agent_name",
    ]
    rows = loaded.query(f"""select {", ".join(cols)} from marts.fct_consultations
                            where channel_key = 'phone' and created_month = '2023-12-01'""")
    fct = [dict(zip(cols, r, strict=False)) for r in rows]
    assert len(fct) == len(planned) == 149

    def both(fct_key, plan_key):
        return Counter(fct_key(r) for r in fct), Counter(plan_key(c) for c in planned)

    got, want = both(lambda r: r["segment"], lambda c: c.segment)
    assert got == want and want["Pemda"] > 0 and len(want) >= 3
    got, want = both(lambda r: (r["is_timezone_identified"], r["timezone"]), lambda c: (c.is_identified, c.timezone))
    assert got == want
    got, want = both(lambda r: r["is_within_service_hours"], lambda c: c.is_within_service_hours)
    assert got == want and None in want and False not in want  # the queue takes calls in office hours only
    got, want = both(
        lambda r: r["local_government_name"] if r["segment"] == "Pemda" else None,
        lambda c: c.local_government.label if c.local_government else None,
    )
    assert got == want
    got, want = both(lambda r: r["is_escalated"], lambda c: c.is_escalated)
    assert got == want and want[True] > 0
    got, want = both(lambda r: r["topic"], lambda c: c.topic)
    assert got == want and None not in got
    got, want = both(lambda r: r["agent_name"], lambda c: c.agent)
    assert got == want
    # call by call: the UCID's timestamp is the plan's arrival; the pipeline's time (answer minute
    # less the wait) at most 59 s before it, and the row is the plan's consultation arriving then
    plan_by_second = {}
    for c in planned:
        plan_by_second.setdefault(int(c.created_at.timestamp()), []).append(
            (
                c.segment,
                c.timezone,
                c.is_within_service_hours,
                c.local_government.label if c.local_government else None,
                c.is_escalated,
                c.topic,
                c.agent,
            )
        )
    for r in fct:
        arrival = int(r["source_record_id"][-10:])
        assert 0 <= arrival - r["created_at"].timestamp() < 60, r
        assert (
            r["segment"],
            r["timezone"],
            r["is_within_service_hours"],
            r["local_government_name"] if r["segment"] == "Pemda" else None,
            r["is_escalated"],
            r["topic"],
            r["agent_name"],
        ) in plan_by_second[arrival], r


def test_cdr_and_cms_reconcile_every_month(loaded):
    rows = loaded.query(
        "select month, cms_answered, cdr_answered, cms_abandoned, cdr_abandoned "
        "from intermediate.int_phone__monthly_reconciliation order by month"
    )
    assert len(rows) == 13
    assert all(cms_a == cdr_a and cms_x == cdr_x for _, cms_a, cdr_a, cms_x, cdr_x in rows)


def test_garbled_records_are_in_quarantine_with_file_and_line(loaded, world):
    garbled = sum(1 for m in world.months for r in m.cdr if r.garbled)
    rows = loaded.query("select record_key, reason from raw._quarantine where source = 'avaya'")
    assert len(rows) == garbled > 0
    assert all(k.startswith("cdr/cdr_") and ":" in k and "truncated or garbled" in r for k, r in rows)


def test_the_summary_has_the_phone_figures(loaded, world):
    import psycopg

    from reporting.metrics.phone import phone
    from reporting.summary import build_summary

    with psycopg.connect(loaded.warehouse_url) as conn:
        try:
            metrics = build_summary(conn, "2023-12")["metrics"]
        except psycopg.errors.UndefinedTable as exc:
            # run alone, the other sources' marts do not exist and their readers fail; never ours
            assert "mart_monthly_phone" not in str(exc), exc
            conn.rollback()
            metrics = phone(conn, dt.date(2023, 12, 1))
    assert metrics["phone_calls_answered"] == {
        "value": 149,
        "prev_month": 103,
        "same_month_last_year": 102,
        "ytd": 1508,
        "mom_pct": 44.7,
        "yoy_pct": 46.1,
    }
    dec, nov = world.figures[("consultation", "2023-12")], world.figures[("consultation", "2023-11")]
    assert metrics["phone_calls_offered"]["value"] == dec.offered
    assert metrics["phone_abandon_rate_pct"]["value"] == round(dec.abandoned / dec.offered * 100, 1)
    assert metrics["phone_abandon_rate_pct"]["prev_month"] == round(nov.abandoned / nov.offered * 100, 1)
    assert metrics["phone_asa_seconds"]["value"] == round(dec.anstime / dec.answered, 1)
    if "tickets_phone" in metrics:  # once fct_consultations unions int_consultations__phone
        assert metrics["tickets_phone"]["value"] == 149


def test_a_second_run_reads_no_file_and_changes_nothing(loaded):
    tables = ("avaya__files", "avaya__hsplit", "avaya__hagent", "avaya__cdr")

    def snapshot():
        return {t: loaded.query(f"select count(*), max(_loaded_at) from raw.{t}")[0] for t in tables}

    before = snapshot()
    loaded.run("dag", "avaya")
    assert snapshot() == before
    ((window,),) = loaded.query(
        "select window_ from raw._batches where source = 'avaya' order by loaded_at desc limit 1"
    )
    assert window["files_read"] == 0 and window["files_skipped"] == before["avaya__files"][0]
