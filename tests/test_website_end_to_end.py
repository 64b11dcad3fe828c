"""The website DAGs end to end: ga4 and cms (real Airflow, stand-ins over HTTP), then the
transform DAG (real dbt through Cosmos), then the December 2023 figures from the marts
and from the summary export, as the report publishes them (visitors exact, not rounded)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

# The published December 2023 report (report-2023-12: website_publications, website_visitors).
DECEMBER_REGISTER = [
    ("2023-12-04", "Berita", "Pemberitahuan Informasi Tidak Benar (Hoax)"),
    ("2023-12-08", "Pemberitahuan ke Daerah", "S-161/PK/2023 tentang Himbauan Percepatan Penyaluran DAK Fisik TA 2023"),
    ("2023-12-08", "Pemberitahuan ke Daerah", "S-71/MK.7/2023 tentang Permintaan Penyampaian APBD 2024"),
    ("2023-12-21", "Peraturan", "PMK Nomor 125 Tahun 2023"),
    ("2023-12-21", "Peraturan", "PMK Nomor 130 Tahun 2023"),
    ("2023-12-28", "Peraturan", "PMK 145 dan PMK 146 Tahun 2023 (Dana Desa)"),
    ("2023-12-29", "Majalah", "Media Defis Edisi XXXVI"),
]
PUBLICATIONS = {
    "value": 7,
    "prev_month": 10,
    "same_month_last_year": 8,
    "ytd": 118,
    "mom_pct": -30.0,
    "yoy_pct": -12.5,
    "breakdown": {"Berita": 1, "Pemberitahuan ke Daerah": 2, "Peraturan": 3, "Majalah": 1},
}
VISITORS = {
    "value": 84217,
    "prev_month": 107164,
    "same_month_last_year": 93598,
    "mom_pct": -21.4,
    "yoy_pct": -10.0,
    "top_pages": ["Portal Data", "Halaman Utama", "Rincian DD 2024"],
}


def run_dag_alone(env, dag_id: str, *args: str):
    """`python -m pipeline dag <dag_id>`, starting only the stand-in of the same name when there is one
    (the other sources' connections get a placeholder, so their stand-ins are not started for nothing)."""
    from simulators.registry import discover

    stand_ins = {mod.__name__.split(".")[1]: mod.CONN_ENVS for mod in discover()}
    if dag_id not in stand_ins:
        return env.run("dag", dag_id, *args)
    others = {k for name, envs in stand_ins.items() if name != dag_id for k in envs}
    saved = dict(env.env)
    try:
        env.env.update({k: json.dumps({"conn_type": "http", "host": "unused"}) for k in others})
        return env.run("dag", dag_id, *args)
    finally:
        env.env.clear()
        env.env.update(saved)


def raw_state(env) -> dict:
    return {
        t: env.query(
            f"select count(*), max(_loaded_at), md5(string_agg(record::text, '' order by record::text)) from raw.{t}"
        )[0]
        for t in ("ga4__monthly_users", "ga4__daily_traffic", "ga4__top_pages", "cms__posts", "cms__categories")
    }


@pytest.fixture(scope="module")
def website(pipeline_env):
    """The session's one `pipeline run` (tests/conftest.py): every source DAG, the transform, outputs."""
    return pipeline_env


def test_raw_reports_and_posts_are_loaded(website):
    counts = {t: n for t, (n, _, _) in raw_state(website).items()}
    assert counts == {
        "ga4__monthly_users": 13,
        "ga4__daily_traffic": 396,
        "ga4__top_pages": 13,
        "cms__posts": 127,
        "cms__categories": 10,
    }


def test_the_website_mart_has_the_december_figures(website):
    (row,) = website.query(
        """select visitors, visitors_prev_month, visitors_same_month_last_year,
                  round(visitors_mom_change::numeric, 4)::float8, round(visitors_yoy_change::numeric, 4)::float8,
                  publications, publications_prev_month, publications_same_month_last_year, publications_ytd,
                  round(publications_mom_change::numeric, 4)::float8, round(publications_yoy_change::numeric, 4)::float8,
                  summed_daily_users
           from marts.mart_monthly_website where month = date '2023-12-01'"""
    )
    assert row[:11] == (
        84217,
        107164,
        93598,
        round((84217 - 107164) / 107164, 4),
        round((84217 - 93598) / 93598, 4),
        7,
        10,
        8,
        118,
        -0.3,
        -0.125,
    )
    # visitors are read from the one-month report: the days' users add up to far more
    assert row[11] > 84217 * 1.2


def test_categories_add_up_to_the_month(website):
    rows = dict(
        website.query(
            "select report_category, publications from marts.mart_monthly_website_categories "
            "where month = date '2023-12-01'"
        )
    )
    assert rows == {
        "Berita": 1,
        "Pemberitahuan ke Daerah": 2,
        "Peraturan": 3,
        "Majalah": 1,
        "Laporan": 0,
        "Video": 0,
        "Data": 0,
    }
    mismatched = website.query(
        """select m.month from marts.mart_monthly_website m
           join (select month, sum(publications) as n from marts.mart_monthly_website_categories group by 1) c
             using (month)
           where m.publications is distinct from c.n"""
    )
    assert mismatched == []


def test_the_register_lists_decembers_publications_as_published(website):
    rows = website.query(
        """select published_date::text, report_category, title from marts.mart_monthly_website_publications
           where month = date '2023-12-01' order by published_date, title"""
    )
    assert rows == sorted(DECEMBER_REGISTER)


def test_top_pages_rank_titles_without_gas_other_row(website):
    rows = website.query("""select page_title from marts.mart_monthly_website_top_pages
                            where month = date '2023-12-01' order by view_rank limit 3""")
    assert [t for (t,) in rows] == VISITORS["top_pages"]
    # the API's own order (one row per path, "(other)" included) would have printed another top 3
    report = website.query("""select page_title from staging.stg_ga4__top_pages
                              where month = date '2023-12-01' order by report_position limit 3""")
    assert [t for (t,) in report] == ["Portal Data", "Rincian DD 2024", "(other)"]


def test_titles_are_decoded_from_wordpress_html(website):
    rows = website.query("select title, title_rendered from staging.stg_cms__posts")
    assert len(rows) == 127
    assert sum(1 for _, r in rows if "&#" in r or "&amp;" in r) >= 5
    assert all(t == " ".join(html.unescape(r).split()) for t, r in rows)


def test_the_summary_reports_the_website_figures(website):
    from reporting.summary import build_summary

    with psycopg.connect(website.warehouse_url) as conn:
        metrics = build_summary(conn, "2023-12")["metrics"]
    assert metrics["website_publications"] == PUBLICATIONS
    assert metrics["website_visitors"] == VISITORS


def test_rerunning_the_dags_changes_nothing(website):
    before = raw_state(website)
    for dag_id in ("ga4", "cms"):
        run_dag_alone(website, dag_id, "--full-refresh")
    assert raw_state(website) == before  # same rows, untouched (same _loaded_at)
