"""The email_lapor DAG end to end: real IMAP (pymap stand-in), real Airflow, real dbt.

The session's `pipeline run` pulls the mailbox into raw.* and builds the marts (every
dbt test must pass); the December 2023 figures and
the breakdown by report type must be the published ones (536 = 466 + 52 + 8 + the
ten unclassified messages the report left out), from the marts and from the
summary export. A second run against the restarted stand-in (same mailbox, same
UIDVALIDITY) adds nothing; a run against a new server (the stand-in's
EMAIL_LAPOR_STAND_IN_GENERATION, a new UIDVALIDITY) re-reads the whole mailbox and
each message still counts once.
"""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.slow

BREAKDOWN = {
    "Laporan Syarat Salur DAU": 466,
    "Laporan Syarat Salur DBH": 52,
    "Laporan Realisasi Gaji Induk PNSD & PPPK + TPP": 8,
    "unclassified": 10,
}


@pytest.fixture(scope="module")
def env(pipeline_env):
    """The session's one `pipeline run` (tests/conftest.py): the email_lapor DAG against the stand-in,
    every other source, and the transform, whose dbt build of every node and test must pass."""
    return pipeline_env


def december(env) -> tuple:
    return env.query(
        """select messages, messages_prev_month, messages_same_month_last_year, messages_ytd,
                  round(mom_change::numeric, 4), round(yoy_change::numeric, 4)
           from marts.mart_monthly_email_lapor where month = '2023-12-01'"""
    )[0]


def test_december_2023_in_the_marts(env):
    value, prev, last_year, ytd, mom, yoy = december(env)
    assert (value, prev, last_year, ytd) == (536, 409, 645, 8723)
    assert float(mom) == round((536 - 409) / 409, 4) and float(yoy) == round((536 - 645) / 645, 4)
    types = dict(
        env.query("""select report_type, messages from marts.mart_monthly_email_lapor_report_types
                              where month = '2023-12-01' and messages > 0""")
    )
    assert types == BREAKDOWN
    assert sum(types.values()) == value


def test_december_2023_in_the_summary(env, monkeypatch):
    import reporting.summary
    from reporting.metrics.email_lapor import email_lapor_messages
    from reporting.summary import build_summary

    # this source's key through the summary code; the other readers are their own tests' business
    monkeypatch.setattr(reporting.summary, "all_readers", lambda: [email_lapor_messages])
    with psycopg.connect(env.warehouse_url) as conn:
        m = build_summary(conn, "2023-12")["metrics"]["email_lapor_messages"]
    assert m == {
        "value": 536,
        "prev_month": 409,
        "same_month_last_year": 645,
        "ytd": 8723,
        "mom_pct": 31.1,
        "yoy_pct": -16.9,
        "breakdown": BREAKDOWN,
    }


def test_spam_and_redeliveries_are_in_raw_but_not_counted(env):
    # every run against a new server (new UIDVALIDITY) adds a generation to raw; look at the newest
    raw, spam, ids, distinct_ids = env.query(
        """select count(*), count(*) filter (where (record ->> 'is_spam')::boolean),
                  count(record ->> 'message_id'), count(distinct record ->> 'message_id')
           from raw.email_lapor__messages
           where uidvalidity = (select (record ->> 'uidvalidity')::bigint from raw.email_lapor__mailbox_state)"""
    )[0]
    counted = env.query("select sum(messages) from marts.mart_monthly_email_lapor")[0][0]
    assert spam > 0 and ids > distinct_ids  # spam and re-sent Message-IDs arrived
    assert counted == raw - spam - (ids - distinct_ids)
    assert env.query("select count(*) from raw._quarantine where source = 'email_lapor'")[0][0] == 0


def test_a_restarted_stand_in_adds_nothing(env):
    generations = "select uidvalidity, count(*) from raw.email_lapor__messages group by 1 order by 1"
    state = "select (record ->> 'uidvalidity')::bigint from raw.email_lapor__mailbox_state"
    before, validity = env.query(generations), env.query(state)
    env.run("dag", "email_lapor")  # incremental; the stand-in restarted with the same mailbox identity
    assert env.query(generations) == before and env.query(state) == validity


def test_a_new_uidvalidity_rereads_the_mailbox_and_changes_no_figure(env):
    from simulators.email_lapor.stand_in import GENERATION_ENV

    (validity,) = env.query("select (record ->> 'uidvalidity')::bigint from raw.email_lapor__mailbox_state")[0]
    generations = "select uidvalidity, count(*) from raw.email_lapor__messages group by 1 order by 1"
    before = env.query(generations)
    env.env[GENERATION_ENV] = "1"  # the mailbox moved to a new server: new UIDVALIDITY
    try:
        env.run("dag", "email_lapor")  # incremental, but every stored UID is meaningless
    finally:
        del env.env[GENERATION_ENV]
    after = env.query(generations)
    new = set(after) - set(before)
    assert set(before) <= set(after) and len(new) == 1  # history kept, one new generation
    assert new.pop()[1] == before[-1][1]  # the whole mailbox re-read
    (new_validity,) = env.query("select (record ->> 'uidvalidity')::bigint from raw.email_lapor__mailbox_state")[0]
    assert new_validity != validity
    # staging and intermediate are views: they already see every generation, each message once
    by_type = dict(
        env.query("""select report_type, count(*) from intermediate.int_email_lapor__classified_messages
                                where received_month = '2023-12-01' group by 1""")
    )
    assert by_type == BREAKDOWN
