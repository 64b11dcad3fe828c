"""The meta and x DAGs end to end: real Airflow (dag.test()), the stand-ins over HTTP,
the loader, dbt through Cosmos (the transform DAG), then the December 2023 figures
from the marts and from the summary readers.
"""

from __future__ import annotations

import pytest

from simulators.scenario.social import expected_figures

pytestmark = pytest.mark.slow

# The published December 2023 report (report-2023-12: social media section).
PUBLISHED = {
    "instagram_followers_end_of_month": 116894,
    "instagram_reach_total": 72037,
    "instagram_reach_avg": 2668,
    "instagram_feed_posts": 27,
    "instagram_stories": 16,
    "twitter_posts": 35,
    "twitter_followers_end_of_month": 16718,
    "twitter_profile_visits": 1663,
    "facebook_posts": 35,
    "facebook_followers_end_of_month": 13960,
    "facebook_reach_avg": 4112,
}


@pytest.fixture(scope="module")
def built(pipeline_env):
    """The session's one `pipeline run` (tests/conftest.py): every source DAG, the transform, outputs."""
    return pipeline_env


def test_the_marts_hold_the_december_2023_figures(built):
    rows = built.query(
        """select platform, posts, stories, content_total, followers_end_of_month, followers_snapshot_date,
                  reach_total, reach_avg, posts_with_reach, profile_visits
           from marts.mart_monthly_social where month = '2023-12-01' order by platform"""
    )
    got = {r[0]: r[1:] for r in rows}
    assert set(got) == {"facebook", "instagram", "twitter"}
    ig, fb, tw = got["instagram"], got["facebook"], got["twitter"]
    assert (ig[0], ig[1], ig[2], ig[3]) == (27, 16, 43, 116894)
    assert str(ig[4]) == "2023-12-31" and ig[5] == 72037 and ig[7] == 27 and round(ig[6]) == 2668
    assert (fb[0], fb[3], fb[6], fb[7]) == (35, 13960, 4112.0, 35)
    assert (tw[0], tw[3], tw[8]) == (35, 16718, 1663)
    avg, last_year, platforms, yoy = built.query(
        """select content_avg, content_avg_same_month_last_year, platforms, yoy_change
           from marts.mart_monthly_social_content where month = '2023-12-01'"""
    )[0]
    assert platforms == 3 and avg == pytest.approx(113 / 3) and last_year == 46
    assert yoy == pytest.approx((113 / 3 - 46) / 46)


def test_the_summary_readers_give_every_social_key(built):
    import psycopg

    from reporting.summary import build_summary

    with psycopg.connect(built.warehouse_url) as conn:
        metrics = build_summary(conn, "2023-12")["metrics"]
    for key, value in PUBLISHED.items():
        assert metrics[key]["value"] == value, key
    nov = expected_figures()["2023-11"]
    assert metrics["instagram_feed_posts"]["prev_month"] == nov["instagram_feed_posts"]
    assert metrics["twitter_profile_visits"]["prev_month"] == nov["twitter_profile_visits"]
    assert metrics["instagram_followers_end_of_month"]["prev_month"] == nov["instagram_followers_end_of_month"]
    assert metrics["instagram_feed_posts"]["breakdown"] == {
        "feed": 27 - expected_figures()["2023-12"]["instagram_reels"],
        "reels": expected_figures()["2023-12"]["instagram_reels"],
    }
    content = metrics["social_media_content_avg"]
    assert content["value"] == 37.7 and round(content["value"]) == 38  # the report prints 38
    assert content["same_month_last_year"] == 46 and content["yoy_pct"] == -18.1  # published: -18 %
    assert content["breakdown"] == {"instagram": 43, "twitter": 35, "facebook": 35}


def test_nothing_was_quarantined_and_every_story_was_captured(built):
    assert built.query("select count(*) from raw._quarantine where source in ('meta', 'x')")[0][0] == 0
    stories = built.query("select count(*) from raw.meta__ig_stories")[0][0]
    assert stories == sum(f["instagram_stories"] for f in expected_figures().values())


def test_a_second_full_refresh_changes_nothing(built):
    tables = ("meta__ig_media", "meta__ig_stories", "meta__ig_account_snapshots", "meta__fb_post_insights")
    before = {t: built.query(f"select count(*), max(_loaded_at) from raw.{t}")[0] for t in tables}
    built.run("dag", "meta", "--full-refresh")
    assert {t: built.query(f"select count(*), max(_loaded_at) from raw.{t}")[0] for t in tables} == before
