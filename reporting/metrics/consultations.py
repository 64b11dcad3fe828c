"""Cross-channel consultation figures: the consultation marts (docs/metrics.md).

    consultation_tickets           marts.mart_monthly_consultations
    users_by_segment               marts.mart_monthly_segments
    top_local_governments          marts.mart_monthly_top_local_governments
    escalated_tickets              marts.mart_monthly_escalations
    tickets_timezone_identified    marts.mart_monthly_timezones
    tickets_within_service_hours   marts.mart_monthly_timezones
    tickets_outside_service_hours  marts.mart_monthly_timezones
    agent_satisfaction_avg         marts.mart_monthly_agent_satisfaction
    consultation_topics            marts.mart_monthly_topics

Ratios stay unrounded in the marts; here they become percentages with one decimal,
and the satisfaction average one decimal, as the report prints them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from reporting.metrics import compared, metric, pct, reader

TOP_N = 5


def _n(value: Any) -> Any:
    """A count from SQL (sums come back as Decimal) as a JSON number."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _one(conn, sql: str, month: dt.date):
    return conn.execute(sql, (month,)).fetchone()


@reader
def consultation_tickets(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    row = _one(
        conn,
        """select consultations, consultations_prev_month, consultations_same_month_last_year,
                               consultations_ytd, mom_change, yoy_change, sources_loaded
                        from marts.mart_monthly_consultations where month = %s""",
        month,
    )
    if row is None:
        return {}
    v, prev, ly, ytd, mom, yoy, sources = row
    return {"consultation_tickets": compared(v, prev, ly, ytd, mom, yoy, sources=sources)}


@reader
def users_by_segment(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        """select segment_name, is_reported, consultations, share_of_month, consultations_ytd,
                  share_of_year_to_date, month_consultations
           from marts.mart_monthly_segments where month = %s order by sort_order""",
        (month,),
    ).fetchall()
    if not rows:
        return {}
    return {
        "users_by_segment": metric(
            value=rows[0][6],
            breakdown={name: _n(n) for name, reported, n, *_ in rows if reported},
            shares_pct={name: pct(share) for name, reported, _, share, *_ in rows if reported},
            unclassified=sum(n for _, reported, n, *_ in rows if not reported),
            ytd_breakdown={name: _n(ytd) for name, _, _, _, ytd, _, _ in rows},
            ytd_shares_pct={name: pct(share) for name, _, _, _, _, share, _ in rows},
        )
    }


@reader
def consultation_topics(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    """Consultations by topic, most frequent first; `unclassified` = no known topic."""
    rows = conn.execute(
        """select topic_name, consultations, share_of_month, consultations_ytd, month_consultations
           from marts.mart_monthly_topics where month = %s
           order by topic_name = 'unclassified', consultations desc, sort_order""",
        (month,),
    ).fetchall()
    if not rows:
        return {}
    ytd = sorted(((name, _n(n)) for name, _, _, n, _ in rows), key=lambda r: (r[0] == "unclassified", -r[1]))
    return {
        "consultation_topics": metric(
            value=rows[0][4],
            breakdown={name: _n(n) for name, n, *_ in rows if n},
            shares_pct={name: pct(share) for name, n, share, *_ in rows if n},
            ytd_breakdown={name: n for name, n in ytd if n},
        )
    }


@reader
def top_local_governments(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    month_rows = conn.execute(
        """select local_government_name, consultations, top_topics_month
           from marts.mart_monthly_top_local_governments
           where month = %s and position_month <= %s order by position_month""",
        (month, TOP_N),
    ).fetchall()
    ytd_rows = conn.execute(
        """select local_government_name, consultations_ytd, top_topics_ytd
           from marts.mart_monthly_top_local_governments
           where month = %s and position_ytd <= %s order by position_ytd""",
        (month, TOP_N),
    ).fetchall()
    if not month_rows and not ytd_rows:
        return {}
    return {
        "top_local_governments": metric(
            breakdown={name: _n(n) for name, n, _ in month_rows},
            topics={name: topics for name, _, topics in month_rows},
            ytd_breakdown={name: _n(n) for name, n, _ in ytd_rows},
            ytd_topics={name: topics for name, _, topics in ytd_rows},
        )
    }


@reader
def escalated_tickets(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    row = _one(
        conn,
        """select escalated, escalated_share, escalated_ytd, escalation_topics
                        from marts.mart_monthly_escalations where month = %s""",
        month,
    )
    if row is None:
        return {}
    n, share, ytd, topics = row
    return {"escalated_tickets": metric(value=n, share_pct=pct(share), ytd=ytd, topics=topics)}


@reader
def timezones(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    row = _one(
        conn,
        """select consultations, identified, unidentified, within_service_hours, outside_service_hours,
                               outside_wib, outside_wita, outside_wit, identified_share,
                               outside_wib_share, outside_wita_share, outside_wit_share
                        from marts.mart_monthly_timezones where month = %s""",
        month,
    )
    if row is None:
        return {}
    (
        total,
        identified,
        unidentified,
        within,
        outside,
        wib,
        wita,
        wit,
        identified_share,
        wib_share,
        wita_share,
        wit_share,
    ) = row
    return {
        "tickets_timezone_identified": metric(
            value=identified,
            breakdown={"identified": identified, "unidentified": unidentified},
            of_total=total,
            share_pct=pct(identified_share),
        ),
        "tickets_within_service_hours": metric(value=within, of_identified=identified),
        "tickets_outside_service_hours": metric(
            value=outside,
            breakdown={"WIB": wib, "WITA": wita, "WIT": wit},
            shares_pct={"WIB": pct(wib_share), "WITA": pct(wita_share), "WIT": pct(wit_share)},
        ),
    }


@reader
def agent_satisfaction_avg(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        """select agent_name, ratings, raters, avg_rating, meets_rating_rule, avg_rating_over_agents,
                  all_agents_meet_rating_rule
           from marts.mart_monthly_agent_satisfaction where month = %s order by agent_name""",
        (month,),
    ).fetchall()
    if not rows:
        return {}
    over_agents = rows[0][5]
    return {
        "agent_satisfaction_avg": metric(
            value=None if over_agents is None else round(float(over_agents), 1),
            agents=[
                {
                    "agent": name,
                    "ratings": _n(ratings),
                    "raters": _n(raters),
                    "average": None if avg is None else round(float(avg), 2),
                    "rule_met": rule,
                }
                for name, ratings, raters, avg, rule, _, _ in rows
            ],
            rule_met=rows[0][6],
        )
    }
