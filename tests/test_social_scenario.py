"""The social media scenario (calibration, determinism) and the two stand-ins' API behaviour."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import requests

from simulators.meta import GraphStandIn
from simulators.scenario.social import (
    CALIBRATION,
    expected_figures,
    generate_social_world,
    split_total,
)
from simulators.x import XStandIn

WIB = dt.timezone(dt.timedelta(hours=7))
TOKEN = "tok-1"


def month_of(ts: dt.datetime) -> str:
    return ts.astimezone(WIB).strftime("%Y-%m")


def test_december_2023_is_the_published_report():
    w = generate_social_world(2023)
    feed = [m for m in w.ig_media if m["media_product_type"] in ("FEED", "REELS") and month_of(m["_at"]) == "2023-12"]
    stories = [s for s in w.ig_stories if month_of(s["_at"]) == "2023-12"]
    fb = [p for p in w.fb_posts if month_of(p["_at"]) == "2023-12"]
    tw = [t for t in w.x_tweets if t["_kind"] in ("post", "quote") and month_of(t["_at"]) == "2023-12"]
    assert (len(feed), len(stories), len(tw), len(fb)) == (27, 16, 35, 35)
    assert sum(m["_reach"] for m in feed) == 72037 and round(72037 / 27) == 2668
    assert sum(p["_reach"] for p in fb) == 35 * 4112
    assert w.ig_followers[dt.date(2023, 12, 31)] == 116894
    assert w.x_followers[dt.date(2023, 12, 31)] == 16718
    assert w.fb_followers[dt.date(2023, 12, 31)] == 13960
    assert sum(w.x_daily[dt.date(2023, 12, d)]["Profile visits"] for d in range(1, 32)) == 1663


def test_december_2022_content_averages_exactly_46():
    f = expected_figures(2023)["2022-12"]["social_media_content"]
    assert sum(f.values()) == 138 and sum(f.values()) / 3 == 46


@pytest.mark.parametrize("seed", [2023, 7])
def test_every_calibrated_figure_holds_for_any_seed(seed):
    figures = expected_figures(seed)
    for platform, measures in CALIBRATION.items():
        for measure, months in measures.items():
            for month, value in months.items():
                key = {
                    "feed_posts": "instagram_feed_posts",
                    "stories": "instagram_stories",
                    "posts": f"{platform}_posts",
                }.get(measure, f"{platform}_{measure}")
                assert figures[month][key] == value, (seed, platform, measure, month)


def test_the_world_is_deterministic_and_independent_of_the_range():
    from simulators.scenario.social import _generate

    a, b = _generate(11, "2022-12-01", "2024-01-01"), _generate.__wrapped__(11, "2022-12-01", "2024-01-01")
    assert a is not b
    assert [(m["id"], m["_reach"]) for m in a.ig_media] == [(m["id"], m["_reach"]) for m in b.ig_media]
    assert a.x_daily == b.x_daily and a.fb_followers == b.fb_followers
    short = generate_social_world(2023, "2023-11-01", "2024-01-01")
    full = generate_social_world(2023)
    dec = lambda w: [t["id"] for t in w.x_tweets if month_of(t["_at"]) == "2023-12"]  # noqa: E731
    assert dec(short) == dec(full)
    assert short.ig_followers[dt.date(2023, 11, 30)] == full.ig_followers[dt.date(2023, 11, 30)]


def test_months_are_local_and_a_boundary_post_is_still_november_in_utc():
    w = generate_social_world(2023)
    first_dec = [m for m in w.ig_media if month_of(m["_at"]) == "2023-12" and m["_at"].month == 11]
    assert first_dec, "a December post published before 07:00 WIB on the 1st (November in UTC)"


def test_split_total_is_exact_and_positive():
    import random

    parts = split_total(random.Random(1), 72037, 27)
    assert sum(parts) == 72037 and len(parts) == 27 and min(parts) > 0
    with pytest.raises(ValueError):
        split_total(random.Random(1), 3, 5)


# ------------------------------------------------------------------ Graph stand-in


@pytest.fixture(scope="module")
def graph():
    with GraphStandIn(seed=2023, access_token=TOKEN) as srv:
        yield srv


def gget(srv, path, **params):
    return requests.get(f"{srv.base_url}{path}", params={"access_token": TOKEN, **params}, timeout=10)


def test_graph_answers_fields_with_usage_headers_and_the_simulated_date(graph):
    r = gget(graph, f"/{graph.ig_user_id}", fields="followers_count,media_count")
    assert r.status_code == 200 and r.json()["followers_count"] == 116894
    assert r.headers["Date"] == "Sun, 31 Dec 2023 16:59:59 GMT"
    assert "call_count" in r.headers["X-App-Usage"] and graph.ig_user_id in r.headers["X-Business-Use-Case-Usage"]
    r = requests.get(
        f"{graph.base_url}/{graph.ig_user_id}",
        params={"fields": "followers_count"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert r.status_code == 200


def test_graph_rejects_bad_tokens_retired_metrics_and_wide_windows(graph):
    r = gget(graph, f"/{graph.ig_user_id}", access_token="nope")
    assert r.status_code == 400 and r.json()["error"]["code"] == 190 and r.json()["error"]["type"] == "OAuthException"
    for node, metric in (
        (graph.ig_user_id, "reach,impressions"),
        (graph.page_id, "page_fans"),
        (graph.page_id, "page_impressions_unique"),
    ):
        r = gget(graph, f"/{node}/insights", metric=metric, period="day")
        assert (
            r.status_code == 400 and r.json()["error"]["message"] == "(#100) The value must be a valid insights metric"
        )
    r = gget(graph, f"/{graph.ig_user_id}/insights", metric="views", period="day")
    assert r.status_code == 400 and "metric_type=total_value" in r.json()["error"]["message"]
    r = gget(
        graph, f"/{graph.page_id}/insights", metric="page_follows", period="day", since="2023-01-01", until="2023-06-01"
    )
    assert r.status_code == 400 and "90 days" in r.json()["error"]["message"]


def test_graph_stories_live_24_hours_and_as_of_moves_the_clock(graph):
    story = graph.world.ig_stories[100]

    def seen(as_of):
        page = gget(graph, f"/{graph.ig_user_id}/stories", as_of=as_of.isoformat(), limit=100)
        return {s["id"] for s in page.json()["data"]}

    assert story["id"] in seen(story["_at"] + dt.timedelta(hours=23, minutes=59))
    assert story["id"] not in seen(story["_at"] + dt.timedelta(hours=24, seconds=1))
    r = gget(graph, f"/{graph.ig_user_id}", fields="followers_count", as_of="2023-06-30T23:59:59+07:00")
    assert r.json()["followers_count"] == graph.world.ig_followers[dt.date(2023, 6, 30)]


def test_graph_forced_usage_and_rate_limit_errors(graph):
    graph.faults.usage(91, regain_minutes=4, header="buc")
    import json

    r = gget(graph, f"/{graph.page_id}", fields="followers_count")
    entry = json.loads(r.headers["X-Business-Use-Case-Usage"])[graph.page_id][0]
    assert entry["call_count"] == 91 and entry["estimated_time_to_regain_access"] == 4 and entry["type"] == "pages"
    graph.faults.rate_limit_error(code=80001)
    r = gget(graph, f"/{graph.page_id}", fields="followers_count")
    assert r.status_code == 400 and r.json()["error"]["code"] == 80001


def test_graph_budget_exhaustion_answers_code_4_or_800xx():
    with GraphStandIn(seed=2023, access_token=TOKEN, hourly_budget=3) as srv:
        codes = [gget(srv, f"/{srv.ig_user_id}", fields="id").status_code for _ in range(4)]
        assert codes == [200, 200, 400, 400]
        err = gget(srv, f"/{srv.ig_user_id}", fields="id").json()["error"]
        assert err["code"] == 80002 and err["is_transient"]


# ---------------------------------------------------------------------- X stand-in


@pytest.fixture(scope="module")
def xapi():
    with XStandIn(seed=2023, bearer_token=TOKEN) as srv:
        yield srv


def test_x_user_lookup_timeline_and_limits(xapi):
    h = {"Authorization": f"Bearer {TOKEN}"}
    r = requests.get(
        f"{xapi.base_url}/users/by/username/DitjenPK", params={"user.fields": "public_metrics"}, headers=h, timeout=10
    )
    assert r.json()["data"]["public_metrics"]["followers_count"] == 16718
    assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(r.headers)
    r = requests.get(f"{xapi.base_url}/users/{xapi.user_id}/tweets", params={"max_results": 200}, headers=h, timeout=10)
    assert r.status_code == 400 and r.json()["title"] == "Invalid Request"
    r = requests.get(
        f"{xapi.base_url}/users/{xapi.user_id}/tweets",
        params={"start_time": "2030-01-01T00:00:00Z"},
        headers=h,
        timeout=10,
    )
    assert r.json() == {"meta": {"result_count": 0}}
    r = requests.get(
        f"{xapi.base_url}/users/{xapi.user_id}/tweets",
        params={
            "exclude": "replies,retweets",
            "max_results": 100,
            "start_time": "2023-12-01T00:00:00+07:00",
            "end_time": "2024-01-01T00:00:00+07:00",
        },
        headers=h,
        timeout=10,
    )
    assert r.json()["meta"]["result_count"] == 35
    r = requests.get(f"{xapi.base_url}/users/by/username/DitjenPK", headers={"Authorization": "Bearer x"}, timeout=10)
    assert r.status_code == 401


def test_x_analytics_exports_are_one_row_per_day(xapi, tmp_path):
    import csv

    files = xapi.write_analytics_exports(tmp_path)
    assert len(files) == 14  # 13 months + one earlier, partial export of December
    days: Counter = Counter()
    for f in files:
        with open(f, newline="") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames[0] == "Date" and "Profile visits" in reader.fieldnames
            dates = [r["Date"] for r in reader]
        assert len(dates) == len(set(dates))  # one row per day within an export
        days.update(dates)
    assert len(days) == 396 and days["Fri, Dec 15, 2023"] == 2 and days["Sat, Dec 16, 2023"] == 1
    partial = next(f for f in files if "exported" in f.name)
    assert partial.stat().st_mtime < next(f for f in files if f.name.endswith("20231231.csv")).stat().st_mtime
