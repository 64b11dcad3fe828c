"""The simulated website (GA4 traffic, CMS posts): calibration, determinism, the GA4 range model."""

from __future__ import annotations

import datetime as dt

from simulators.ga4.server import _parts, _range_users, build_rows
from simulators.scenario import website
from simulators.scenario.world import LOCAL_TZ, UTC


def jakarta_month(post: dict) -> str:
    return dt.datetime.fromisoformat(post["date_gmt"]).replace(tzinfo=UTC).astimezone(LOCAL_TZ).strftime("%Y-%m")


def test_publications_are_calibrated_by_jakarta_month():
    counts = website.publications_by_month(website.generate_cms_world())
    totals = {m: sum(c.values()) for m, c in counts.items()}
    assert (totals["2023-12"], totals["2023-11"], totals["2022-12"]) == (7, 10, 8)
    assert sum(n for m, n in totals.items() if m.startswith("2023")) == 118
    assert counts["2023-12"] == {"Berita": 1, "Pemberitahuan ke Daerah": 2, "Peraturan": 3, "Majalah": 1}


def test_the_december_register_is_exactly_the_published_one():
    world = website.generate_cms_world()
    dec = sorted(
        (p["date"][:10], p["_sim"]["report_category"], p["_sim"]["title"])
        for p in world.published()
        if jakarta_month(p) == "2023-12" and p["_sim"]["report_category"]
    )
    assert dec == sorted(website.DECEMBER_2023_POSTS)


def test_boundary_posts_belong_to_the_jakarta_month_not_the_utc_one():
    world = website.generate_cms_world()
    boundary = [p for p in world.published() if p["date_gmt"][:7] != jakarta_month(p)]
    assert {jakarta_month(p) for p in boundary} >= {"2022-12", "2023-01", "2023-11"}
    utc_2023 = sum(1 for p in world.published() if p["_sim"]["report_category"] and p["date_gmt"][:4] == "2023")
    assert utc_2023 != 118  # bucketing by UTC would miss the published year to date


def test_the_mess_is_there():
    world = website.generate_cms_world()
    published = world.published()
    assert any(p["_sim"]["report_category"] is None for p in published)  # WordPress's "Hello world!"
    assert any(p["status"] == "draft" for p in world.posts)
    report_ids = set(website.CATEGORY_ID.values())
    assert any(len(set(p["categories"]) & report_ids) > 1 for p in published)  # two report categories
    assert any("&#" in p["title"]["rendered"] for p in published)


def test_visitors_are_exact_and_the_days_over_count_them():
    world = website.generate_ga4_world()
    assert {m: world.months[m].active_users for m in ("2022-12", "2023-11", "2023-12")} == {
        "2022-12": 93_598,
        "2023-11": 107_164,
        "2023-12": 84_217,
    }
    assert round(84_217, -3) == 84_000 and round(107_164, -3) == 107_000  # the report's "sekitar"
    for m in world.months.values():
        assert m.summed_daily_users > 1.25 * m.active_users, m.month
        assert sum(p.views for p in m.pages) == m.page_views
    assert website.top_titles(world.months["2023-12"]) == ["Portal Data", "Halaman Utama", "Rincian DD 2024"]


def test_the_stand_ins_range_model_is_exact_for_a_month_and_a_day():
    world = website.generate_ga4_world()
    dec = world.months["2023-12"]
    month = _parts(world, dt.date(2023, 12, 1), dt.date(2023, 12, 31))
    assert _range_users(world, month, "activeUsers") == 84_217
    day = _parts(world, dt.date(2023, 12, 5), dt.date(2023, 12, 5))
    assert _range_users(world, day, "activeUsers") == dec.days[4].active_users
    week = _parts(world, dt.date(2023, 12, 4), dt.date(2023, 12, 10))
    assert (
        max(d.active_users for d in dec.days[3:10])
        < _range_users(world, week, "activeUsers")
        < sum(d.active_users for d in dec.days[3:10])
    )
    (row,) = build_rows(world, dt.date(2023, 12, 1), dt.date(2023, 12, 31), [], ["activeUsers", "sessions"])[0]
    assert row == ([], [84_217, sum(d.sessions for d in dec.days)])


def test_deterministic_by_seed():
    a = website.generate_cms_world.__wrapped__(7)
    b = website.generate_cms_world.__wrapped__(7)
    c = website.generate_cms_world.__wrapped__(8)
    assert a.posts == b.posts and a.posts != c.posts
    assert website.publications_by_month(c)["2023-12"] == website.publications_by_month(a)["2023-12"]
    g7, g8 = website.generate_ga4_world.__wrapped__(7), website.generate_ga4_world.__wrapped__(8)
    assert g7.months["2023-12"].active_users == g8.months["2023-12"].active_users == 84_217
    assert g7.months["2023-05"].active_users != g8.months["2023-05"].active_users
