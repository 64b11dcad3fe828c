"""The `whatsapp` DAG end to end: receiver spool + BSP export -> raw -> dbt (Cosmos) -> marts -> summary.

Real Airflow (dag.test()), real dbt, the stand-in's receiver fed with signed,
redelivered, out-of-order webhooks. Asserts the December 2023 WhatsApp figures of
the published report and their comparisons, and that the WhatsApp rows of
fct_consultations are the consultation plan's (segments, time zones, service hours,
topics, escalations, agents, ratings). The session's one `pipeline run`
(tests/conftest.py) loaded every source and built the marts; the whatsapp DAG then
runs again with a full refresh, which must change no raw row.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import psycopg
import pytest

from tests import whatsapp_expected as expected

pytestmark = pytest.mark.slow

# report-2023-12.yaml (Laporan Layanan Informasi DJPK Desember 2023)
CONSULTATIONS = {"value": 1118, "prev_month": 988, "same_month_last_year": 1065}
CONSULTATIONS_2023 = 14310  # the plan's (consultations.FIXED_COUNTS): WhatsApp's share of the 18,008 of 2023
CHATBOT_USERS = 707
MENUS = expected.MENUS
BLASTS = {"value": 5, "prev_month": 3, "same_month_last_year": 1, "ytd": 55}
DECEMBER_BLASTS = expected.BLASTS
AGENTS = {"Nuryani", "Anas", "Linna", "Hanna", "Dian"}
RAW = "select count(*), max(_loaded_at) from raw.whatsapp__{}"


@pytest.fixture(scope="module")
def env(pipeline_env):
    raw = {s: pipeline_env.query(RAW.format(s))[0] for s in ("messages", "statuses")}
    pipeline_env.run("dag", "whatsapp", "--full-refresh")  # the same spool and export again
    return pipeline_env, raw


def mart(env, metric_key: str, month: str = "2023-12-01") -> dict:
    cols = ["value", "prev_month", "same_month_last_year", "ytd", "mom_change", "yoy_change"]
    row = env.query(
        """select value, value_prev_month, value_same_month_last_year, value_ytd, mom_change, yoy_change
                       from marts.mart_monthly_whatsapp where month = %s and metric_key = %s""",
        (month, metric_key),
    )
    assert len(row) == 1, metric_key
    return dict(zip(cols, row[0], strict=False))


def test_a_second_run_of_the_dag_changes_no_raw_row(env):
    e, before = env
    assert {s: e.query(RAW.format(s))[0] for s in before} == before
    assert e.query("select count(*) from raw._quarantine where source = 'whatsapp'")[0][0] == 0


def test_december_consultations_with_comparisons(env):
    e, _ = env
    m = mart(e, "whatsapp_consultations")
    assert {k: m[k] for k in CONSULTATIONS} == CONSULTATIONS
    assert m["ytd"] == CONSULTATIONS_2023
    assert m["mom_change"] == pytest.approx((1118 - 988) / 988)  # +13 % as published
    assert m["yoy_change"] == pytest.approx((1118 - 1065) / 1065)  # +4.9 % as published


def test_consultations_follow_the_contract(env):
    e, _ = env
    rows = e.query(
        """select to_char(created_at at time zone 'Asia/Jakarta', 'YYYY-MM'), count(*), count(distinct consultation_id),
                  bool_and(channel_key = 'whatsapp' and source_system = 'whatsapp'
                           and consultation_id = 'whatsapp-' || source_record_id),
                  array_agg(distinct agent_name), count(region_text), count(feedback_rating),
                  bool_and(first_agent_reply_at >= created_at), bool_and(resolved_at >= first_agent_reply_at)
           from intermediate.int_consultations__whatsapp group by 1 order by 1"""
    )
    by_month = {r[0]: r[1:] for r in rows}
    n, distinct, contract, agents, regions, ratings, replied_after, resolved_after = by_month["2023-12"]
    assert (n, distinct, contract) == (1118, 1118, True)
    assert set(agents) == AGENTS
    assert 0.5 * n < regions < n  # most typed a region in the form; some did not
    assert 0 < ratings < n and replied_after and resolved_after
    assert (by_month["2023-11"][0], by_month["2022-12"][0]) == (988, 1065)
    cols = [
        c
        for (c,) in e.query("""select column_name from information_schema.columns
                                     where table_schema = 'intermediate' and table_name = 'int_consultations__whatsapp'
                                     order by ordinal_position""")
    ]
    # the consultation contract (int_consultations__enriched.sql), then the lineage the incremental
    # int_consultations__enriched reads (its other sources, recomputed whole, have none)
    assert cols == [
        "consultation_id",
        "source_system",
        "source_record_id",
        "user_key",
        "channel_key",
        "region_text",
        "institution_text",
        "topic_text",
        "agent_name",
        "feedback_rating",
        "is_escalated",
        "created_at",
        "first_agent_reply_at",
        "resolved_at",
        "_loaded_at",
    ]


def test_december_consultations_in_fct_consultations_are_the_plans(env):
    """marts.fct_consultations, channel whatsapp, December 2023, against the consultation plan:
    the aggregates the report shows, then row by row (user and start time identify a row)."""
    from pipeline.pseudonym_key import pseudonymise
    from simulators.scenario.consultations import plan_month

    e, _ = env
    cols = [
        "user_key",
        "created_at",
        "segment",
        "region_code",
        "timezone",
        "is_within_service_hours",
        "topic",
        "is_escalated",
        "agent_name",
        "feedback_rating",
    ]
    rows = [
        dict(zip(cols, r, strict=False))
        for r in e.query(
            f"""select {", ".join(cols)} from marts.fct_consultations
            where channel_key = 'whatsapp' and created_month = '2023-12-01'"""
        )
    ]
    plan = plan_month(2023, "2023-12").for_channel("whatsapp")
    assert len(rows) == len(plan) == 1118

    def figures(items):
        ratings, raters = Counter(), defaultdict(set)
        for r in items:
            if r["feedback_rating"] is not None:
                ratings[(r["agent_name"], r["feedback_rating"])] += 1
                raters[r["agent_name"]].add(r["user_key"])
        return {
            "segments": Counter(r["segment"] for r in items),
            "time zones": Counter(r["timezone"] for r in items),
            "service hours": Counter(r["is_within_service_hours"] for r in items),
            "outside by time zone": Counter(r["timezone"] for r in items if r["is_within_service_hours"] is False),
            "escalated": sum(bool(r["is_escalated"]) for r in items),
            "topics": Counter(r["topic"] for r in items),
            "ratings per agent": ratings,
            "raters per agent": {a: len(u) for a, u in raters.items()},
        }

    # the user is the keyed HMAC of the phone number (wa_id), never an unsalted hash
    want = [
        {
            "user_key": "whatsapp-" + pseudonymise(e.pseudonym_key, c.person.phone.lstrip("+")),
            "created_at": c.created_at,
            "segment": c.segment,
            "region_code": c.region.code if c.region else None,
            "timezone": c.timezone,
            "is_within_service_hours": c.is_within_service_hours,
            "topic": c.topic,
            "is_escalated": c.is_escalated,
            "agent_name": c.agent,
            "feedback_rating": c.rating,
        }
        for c in plan
    ]
    got_figures, want_figures = figures(rows), figures(want)
    assert {k: got_figures[k] for k in want_figures} == want_figures
    assert want_figures["escalated"] > 0 and want_figures["service hours"][False] > 0
    key = lambda r: (r["user_key"], r["created_at"])  # noqa: E731
    assert sorted(map(key, rows)) == sorted(map(key, want))
    by_key = {key(r): r for r in rows}
    assert not [(w, by_key[key(w)]) for w in want if by_key[key(w)] != w][:3]


def test_december_chatbot_users_and_menu_selections(env):
    e, _ = env
    assert mart(e, "chatbot_users")["value"] == CHATBOT_USERS
    assert mart(e, "chatbot_menu_selections")["value"] == sum(MENUS.values()) == 566
    menus = dict(
        e.query(
            "select menu_label, selections from marts.mart_monthly_whatsapp_menu "
            "where month = '2023-12-01' and selections > 0"
        )
    )
    assert menus == MENUS


def test_december_blasts_register_and_latest_statuses(env):
    from simulators.scenario.whatsapp import WhatsappGenerator

    e, _ = env
    m = mart(e, "whatsapp_blasts")
    assert {k: m[k] for k in BLASTS} == BLASTS
    assert m["mom_change"] == pytest.approx(2 / 3)  # +67 % as published
    rows = e.query("""select blast_date::text, subject, recipients, recipients_sent, recipients_delivered,
                             recipients_read, recipients_failed
                      from marts.mart_monthly_whatsapp_blasts where month = '2023-12-01'
                      order by blast_date, sent_at""")
    assert sorted((d, s) for d, s, *_ in rows) == sorted(DECEMBER_BLASTS)
    # the latest status of every recipient, decided from events that arrived out of order,
    # redelivered, "delivered" after "failed", "delivered" missing, matches what was simulated
    truth = {b.subject: b.final_status for b in WhatsappGenerator(2023).month("2023-12").blasts}
    for _, subject, n, sent, delivered, read, failed in rows:
        t = truth[subject]
        assert (n, sent, delivered, read, failed) == (
            sum(t.values()),
            t["sent"],
            t["delivered"],
            t["read"],
            t["failed"],
        )


def test_the_summary_has_the_whatsapp_figures(env):
    from reporting.summary import build_summary

    e, _ = env
    with psycopg.connect(e.warehouse_url) as conn:
        metrics = build_summary(conn, "2023-12")["metrics"]
    users, menus, blasts = metrics["chatbot_users"], metrics["chatbot_menu_selections"], metrics["whatsapp_blasts"]
    assert users["value"] == CHATBOT_USERS
    assert menus["value"] == 566 and menus["breakdown"] == MENUS
    assert list(menus["breakdown"]) == list(MENUS)  # in the report's order
    assert {k: blasts[k] for k in BLASTS} == BLASTS and blasts["mom_pct"] == 66.7
    written = json.loads((e.out / "reports" / "2023-12" / "summary.json").read_text())["metrics"]
    assert written["whatsapp_blasts"] == blasts and written["chatbot_menu_selections"] == menus
