"""The consultation marts, through the whole pipeline (`make run` for 2023-12).

Three levels:

* every Deskpro consultation in fct_consultations is enriched exactly as the
  consultation plan (simulators.scenario.consultations) made it: region, local
  government, time zone, service hours, segment, topic, escalation, agent, rating;
* every consultation mart agrees with an independent count of fct_consultations
  (all channels in the union);
* every channel renders the plan, so the marts give the published December 2023
  figures (1469; 66/1251/70/82; 1251 identified; 1201 within, 50 outside = 27 WIB +
  16 WITA + 7 WIT; the top five local governments; 144 escalations; every agent
  >= 5 ratings from >= 5 users, all 5); the figures are also asserted from the plan
  alone in tests/test_scenario_consultations.py.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import pytest

from simulators.deskpro.server import load_world
from simulators.scenario.consultations import CHANNELS, channel_counts, iter_plan, plan_month

pytestmark = pytest.mark.slow

SEED = 2023
DEC = "2023-12-01"
SEGMENTS = ["Akademisi", "Pemda", "Kementerian/Lembaga", "Lainnya", "unclassified"]


@pytest.fixture(scope="module")
def env(pipeline_env):
    return pipeline_env  # the session's `pipeline run` (2023-12 and 2023-11); reruns before this change nothing


@pytest.fixture(scope="module")
def fct_dec(env):
    cols = [
        "consultation_id",
        "source_system",
        "channel_key",
        "user_key",
        "segment",
        "is_timezone_identified",
        "timezone",
        "is_within_service_hours",
        "local_government_name",
        "topic",
        "is_escalated",
        "agent_name",
        "feedback_rating",
    ]
    rows = env.query(f"select {', '.join(cols)} from marts.fct_consultations where created_month = %s", (DEC,))
    return [dict(zip(cols, r, strict=False)) for r in rows]


@pytest.fixture(scope="module")
def plan_dec():
    return plan_month(SEED, "2023-12").consultations


def test_every_deskpro_consultation_is_enriched_as_planned(env):
    """Row by row: each ticket's plan record against its fct_consultations row."""
    planned = {
        f"deskpro-{t['id']}": t["_sim"]["plan"] for t in load_world(SEED).tickets if t["_sim"]["kind"] == "valid"
    }
    by_key = {c.key: c for p in iter_plan(SEED, "2022-12-01", "2024-01-01") for c in p.consultations}
    rows = env.query("""select consultation_id, region_code, local_government_code, timezone, is_within_service_hours,
                               segment, topic, is_escalated, agent_name, feedback_rating
                        from marts.fct_consultations where source_system = 'deskpro'""")
    assert len(rows) == len(planned)
    mismatches = []
    for cid, region, lg, tz, within, segment, topic, escalated, agent, rating in rows:
        c = by_key[planned[cid]]
        want = (
            c.region.code if c.region else None,
            c.region.local_government_code if c.region else None,
            c.timezone,
            c.is_within_service_hours,
            c.segment,
            c.topic,
            c.is_escalated,
            c.agent,
            c.rating,
        )
        got = (region, lg, tz, within, segment, topic, escalated, agent, rating)
        if want != got:
            mismatches.append((cid, c.region_text, c.institution_text, want, got))
    assert not mismatches, mismatches[:5]


# ------------------------------------------------- marts against fct_consultations


def test_consultations(env, fct_dec):
    value, prev, last_year = env.query(
        """select consultations, consultations_prev_month, consultations_same_month_last_year
           from marts.mart_monthly_consultations where month = %s""",
        (DEC,),
    )[0]
    assert value == len(fct_dec)
    counts = channel_counts(SEED, "2023-12")
    for ch, n in Counter(r["channel_key"] for r in fct_dec).items():
        assert n == counts[ch], ch
    assert {r["source_system"] for r in fct_dec} >= {"deskpro"}
    assert prev > 0 and last_year > 0


def test_segments(env, fct_dec):
    rows = env.query(
        """select segment_name, consultations, month_consultations, share_of_month
                        from marts.mart_monthly_segments where month = %s""",
        (DEC,),
    )
    want = Counter(r["segment"] for r in fct_dec)
    assert {s: n for s, n, _, _ in rows} == {s: want.get(s, 0) for s in SEGMENTS}
    assert all(total == len(fct_dec) for _, _, total, _ in rows)
    assert all(share == pytest.approx(n / len(fct_dec)) for _, n, _, share in rows)


def test_time_zones_and_service_hours(env, fct_dec):
    row = env.query(
        """select consultations, identified, unidentified, within_service_hours, outside_service_hours,
                              outside_wib, outside_wita, outside_wit
                       from marts.mart_monthly_timezones where month = %s""",
        (DEC,),
    )[0]
    identified = [r for r in fct_dec if r["is_timezone_identified"]]
    outside = Counter(r["timezone"] for r in identified if r["is_within_service_hours"] is False)
    assert row == (
        len(fct_dec),
        len(identified),
        len(fct_dec) - len(identified),
        sum(r["is_within_service_hours"] is True for r in identified),
        sum(outside.values()),
        outside["WIB"],
        outside["WITA"],
        outside["WIT"],
    )
    assert all(r["is_within_service_hours"] is None for r in fct_dec if not r["is_timezone_identified"])


def test_top_local_governments(env, fct_dec):
    rows = env.query(
        """select local_government_name, consultations, position_month
                        from marts.mart_monthly_top_local_governments where month = %s""",
        (DEC,),
    )
    month = Counter(
        r["local_government_name"] for r in fct_dec if r["segment"] == "Pemda" and r["local_government_name"]
    )
    assert {name: n for name, n, _ in rows if n} == dict(month)
    top = [n for _, n, pos in sorted((r for r in rows if r[2]), key=lambda r: r[2])][:5]
    assert top == sorted(month.values(), reverse=True)[:5]


def test_escalations(env, fct_dec):
    n, share = env.query(
        "select escalated, escalated_share from marts.mart_monthly_escalations where month = %s", (DEC,)
    )[0]
    want = sum(bool(r["is_escalated"]) for r in fct_dec)
    assert n == want and share == pytest.approx(want / len(fct_dec))


def test_agent_satisfaction(env, fct_dec):
    rows = env.query(
        """select agent_name, ratings, raters, avg_rating, meets_rating_rule
                        from marts.mart_monthly_agent_satisfaction where month = %s""",
        (DEC,),
    )
    ratings, raters, total = Counter(), defaultdict(set), Counter()
    for r in fct_dec:
        if r["feedback_rating"] is not None and r["agent_name"]:
            ratings[r["agent_name"]] += 1
            total[r["agent_name"]] += r["feedback_rating"]
            if r["user_key"]:
                raters[r["agent_name"]].add(r["user_key"])
    assert {a: (n, u) for a, n, u, _, _ in rows if n} == {a: (ratings[a], len(raters[a])) for a in ratings}
    for a, n, u, avg, rule in rows:
        if n:
            assert avg == pytest.approx(total[a] / n)
        assert rule == (n >= 5 and u >= 5)


def test_unmatched_regions_and_match_rate(env, fct_dec):
    unmatched = {r[0] for r in env.query("select region_text_clean from review.unmatched_regions")}
    assert "indonesia" in unmatched and "" not in unmatched
    # the texts (people type their names there) are for engineers; BI gets counts
    assert env.query(
        "select has_table_privilege('bi_reader', 'review.unmatched_regions', 'select'), "
        "has_schema_privilege('bi_reader', 'review', 'usage'), "
        "to_regclass('marts.mart_unmatched_regions')"
    ) == [(False, False, None)]
    matched, unmatched_texts = env.query(
        """select matched, unmatched_texts from marts.mart_monthly_region_match_rate
                                            where month = %s""",
        (DEC,),
    )[0]
    assert matched == sum(bool(r["is_timezone_identified"]) for r in fct_dec)
    in_month = env.query(
        """select count(*) from review.unmatched_regions
                            where first_seen_at < '2024-01-01' and last_seen_at >= %s""",
        (DEC,),
    )[0][0]
    assert 0 < unmatched_texts <= in_month


def test_summary_carries_the_consultation_figures(env, fct_dec):
    summary = json.loads((env.out / "reports" / "2023-12" / "summary.json").read_text())["metrics"]
    seg = Counter(r["segment"] for r in fct_dec)
    assert summary["consultation_tickets"]["value"] == len(fct_dec)
    assert summary["users_by_segment"]["breakdown"] == {s: seg.get(s, 0) for s in SEGMENTS[:4]}
    assert set(summary["users_by_segment"]["ytd_breakdown"]) == set(SEGMENTS)
    ident = summary["tickets_timezone_identified"]["breakdown"]
    assert ident["identified"] + ident["unidentified"] == len(fct_dec)
    outside = summary["tickets_outside_service_hours"]
    assert sum(outside["breakdown"].values()) == outside["value"]
    assert summary["tickets_within_service_hours"]["value"] + outside["value"] == ident["identified"]
    assert summary["escalated_tickets"]["value"] == sum(bool(r["is_escalated"]) for r in fct_dec)
    assert len(summary["top_local_governments"]["breakdown"]) == 5
    agents = {a["agent"]: a for a in summary["agent_satisfaction_avg"]["agents"]}
    assert set(agents) >= {"Nuryani", "Anas", "Linna", "Hanna", "Dian"}
    assert all(a["rule_met"] == (a["ratings"] >= 5 and a["raters"] >= 5) for a in agents.values())


# --------------------------------------------------------- the published figures


def test_every_channel_renders_the_plan_and_gives_the_published_december_figures(env, fct_dec, plan_dec):
    def by(rows):
        return Counter(
            (
                r["channel_key"],
                r["segment"],
                r["timezone"],
                r["is_within_service_hours"],
                r["local_government_name"],
                r["is_escalated"] or False,
                r["topic"],
            )
            for r in rows
        )

    planned = [
        {
            "channel_key": c.channel,
            "segment": c.segment,
            "timezone": c.timezone,
            "is_within_service_hours": c.is_within_service_hours,
            "local_government_name": c.local_government.label if c.local_government else None,
            "is_escalated": c.is_escalated,
            "topic": c.topic,
        }
        for c in plan_dec
    ]
    for ch in CHANNELS:
        loaded = {k: v for k, v in by(fct_dec).items() if k[0] == ch}
        wanted = {k: v for k, v in by(planned).items() if k[0] == ch}
        assert loaded == wanted, (ch, set(loaded.items()) ^ set(wanted.items()))
    summary = json.loads((env.out / "reports" / "2023-12" / "summary.json").read_text())["metrics"]
    assert summary["consultation_tickets"]["value"] == 1469
    assert summary["users_by_segment"]["breakdown"] == {
        "Akademisi": 66,
        "Pemda": 1251,
        "Kementerian/Lembaga": 70,
        "Lainnya": 82,
    }
    assert summary["tickets_timezone_identified"]["breakdown"] == {"identified": 1251, "unidentified": 218}
    assert summary["tickets_within_service_hours"]["value"] == 1201
    assert summary["tickets_outside_service_hours"]["breakdown"] == {"WIB": 27, "WITA": 16, "WIT": 7}
    assert summary["top_local_governments"]["breakdown"] == {
        "Kab. Wajo": 15,
        "Prov. Sumatera Barat": 15,
        "Kab. Kediri": 13,
        "Prov. Riau": 13,
        "Prov. Sulawesi Utara": 13,
    }
    assert summary["escalated_tickets"]["value"] == 144 and summary["escalated_tickets"]["share_pct"] == 9.8
    assert summary["agent_satisfaction_avg"]["value"] == 5.0 and summary["agent_satisfaction_avg"]["rule_met"]


def test_topics_of_the_month_are_the_plans(env, plan_dec):
    summary = json.loads((env.out / "reports" / "2023-12" / "summary.json").read_text())["metrics"]
    topics = summary["consultation_topics"]
    assert topics["value"] == 1469
    assert topics["breakdown"] == dict(Counter(c.topic for c in plan_dec))  # every channel carries its topic
    assert list(topics["breakdown"].values()) == sorted(topics["breakdown"].values(), reverse=True)
