"""The CMS extractor against the local WordPress REST API stand-in (real HTTP, faults, real loads)."""

from __future__ import annotations

import datetime as dt
import html
import math
from urllib.parse import parse_qs, urlsplit

import pytest

from extractors.cms import CmsConfig, run_extract
from extractors.common.batch import MANIFEST
from extractors.common.http import AuthError, MalformedPageError
from loaders import load_batch
from simulators.cms import WordPressStandIn
from tests.helpers import FAST_RETRY, Sleeps, records, stand_in, with_sleeps

APP_USER, APP_PASSWORD = "pipeline-reader", "abcd EFGH 1234 ijkl MNOP 5678"


server, _clean = stand_in(lambda: WordPressStandIn(seed=2023, application_password=(APP_USER, APP_PASSWORD)))


def config(server, **kw) -> CmsConfig:
    kw.setdefault("retry", FAST_RETRY)
    return CmsConfig(base_url=server.base_url, **kw)


def extract(server, landing, since=None, sleeps=None, **kw):
    return run_extract(with_sleeps(config(server, **kw), sleeps), landing, since, full_refresh=since is None)


def post_requests(server) -> list[dict[str, str]]:
    out = []
    for _, path, status in server.request_log:
        parts = urlsplit(path)
        if parts.path == "/wp-json/wp/v2/posts" and status == 200:
            out.append({k: v[-1] for k, v in parse_qs(parts.query).items()})
    return out


def test_full_refresh_pages_by_x_wp_totalpages(server, landing):
    batch = extract(server, landing, page_size=20)
    published = server.published()
    posts = batch.streams["posts"]
    assert posts.records == len(published) == 127 and posts.rejected == 0
    pages = [int(q["page"]) for q in post_requests(server)]
    assert pages == list(range(1, math.ceil(127 / 20) + 1))  # up to X-WP-TotalPages, not one more
    assert posts.pages == 7
    ids = [r["id"] for r in records(batch, "posts")]
    assert sorted(ids) == sorted(p["id"] for p in published) and len(set(ids)) == len(ids)
    assert batch.streams["categories"].records == 10


def test_drafts_are_never_read(server, landing):
    batch = extract(server, landing)
    drafts = {p["id"] for p in server.posts if p["status"] == "draft"}
    assert drafts and not drafts & {r["id"] for r in records(batch, "posts")}


def test_titles_keep_wordpress_entities_in_raw(server, landing):
    batch = extract(server, landing)
    truth = {p["id"]: p["_sim"]["title"] for p in server.posts}
    rendered = {r["id"]: r["title"]["rendered"] for r in records(batch, "posts")}
    with_entities = [t for t in rendered.values() if "&#8211;" in t or "&#038;" in t or "&#8220;" in t]
    assert len(with_entities) >= 5  # kept exactly as served: staging decodes them
    assert all(html.unescape(t) == truth[i] for i, t in rendered.items())
    assert "Data &amp; Statistik" in {c["name"] for c in records(batch, "categories")}


def test_december_posts_are_there_as_published(server, landing):
    batch = extract(server, landing)
    dec = sorted(
        (r["date"][:10], r["title"]["rendered"]) for r in records(batch, "posts") if r["date"].startswith("2023-12")
    )
    assert dec == [
        ("2023-12-04", "Pemberitahuan Informasi Tidak Benar (Hoax)"),
        ("2023-12-08", "S-161/PK/2023 tentang Himbauan Percepatan Penyaluran DAK Fisik TA 2023"),
        ("2023-12-08", "S-71/MK.7/2023 tentang Permintaan Penyampaian APBD 2024"),
        ("2023-12-21", "PMK Nomor 125 Tahun 2023"),
        ("2023-12-21", "PMK Nomor 130 Tahun 2023"),
        ("2023-12-28", "PMK 145 dan PMK 146 Tahun 2023 (Dana Desa)"),
        ("2023-12-29", "Media Defis Edisi XXXVI"),
    ]


def test_incremental_reads_posts_modified_since_the_lookback(server, landing):
    since = dt.datetime(2023, 12, 20, tzinfo=dt.UTC)
    batch = extract(server, landing, since=since, lookback=dt.timedelta(days=7))
    read_from = since - dt.timedelta(days=7)
    expected = {
        p["id"]
        for p in server.published()
        if dt.datetime.fromisoformat(p["modified_gmt"]).replace(tzinfo=dt.UTC) >= read_from
    }
    got = {r["id"] for r in records(batch, "posts")}
    assert got == expected and 0 < len(got) < 127
    (q,) = post_requests(server)
    # asked in the site's time (WordPress compares with `modified`), one second early (it compares strictly)
    assert q["modified_after"] == "2023-12-13T06:59:59" and (q["orderby"], q["order"]) == ("modified", "asc")
    assert (
        batch.streams["posts"].watermark
        == max(
            dt.datetime.fromisoformat(p["modified_gmt"]).replace(tzinfo=dt.UTC)
            for p in server.published()
            if p["id"] in expected
        ).isoformat()
    )


def test_an_edited_post_is_picked_up_and_merged(server, landing, conn):
    load_batch(conn, extract(server, landing).folder)
    post_id = next(p["id"] for p in server.published() if p["date"].startswith("2023-12-21"))
    original = next(p for p in server.posts if p["id"] == post_id)
    saved = (dict(original["title"]), original["modified"], original["modified_gmt"])
    try:
        at = dt.datetime(2024, 1, 10, 3, 0, tzinfo=dt.UTC)
        server.edit_post(post_id, at, title="PMK Nomor 130 Tahun 2023 &#8211; Ralat")
        batch = extract(server, landing, since=at - dt.timedelta(hours=1), lookback=dt.timedelta(0))
        assert [r["id"] for r in records(batch, "posts")] == [post_id]
        result = load_batch(conn, batch.folder)
        assert (result.streams["posts"].updated, result.streams["posts"].inserted) == (1, 0)
        title, modified = conn.execute(
            "select record -> 'title' ->> 'rendered', modified_gmt from raw.cms__posts where id = %s", (post_id,)
        ).fetchone()
        assert title.endswith("&#8211; Ralat") and modified == at
    finally:
        original["title"], original["modified"], original["modified_gmt"] = saved


def test_a_full_refresh_removes_a_trashed_post(server, landing, conn):
    load_batch(conn, extract(server, landing).folder)
    victim = server.published()[-1]["id"]
    post = next(p for p in server.posts if p["id"] == victim)
    try:
        server.trash_post(victim)
        result = load_batch(conn, extract(server, landing).folder)
        assert result.streams["posts"].deleted == 1
        assert conn.execute("select count(*) from raw.cms__posts where id = %s", (victim,)).fetchone()[0] == 0
        assert conn.execute("select count(*) from raw.cms__posts").fetchone()[0] == 126
    finally:
        post["status"] = "publish"


def test_429_honours_retry_after_and_500_backs_off(server, landing):
    server.faults.rate_limit(n=1, retry_after=3)
    sleeps = Sleeps()
    batch = extract(server, landing, sleeps=sleeps)
    assert sleeps == [3.0] and batch.streams["posts"].records == 127
    server.faults.server_error(n=2)
    sleeps = Sleeps()
    batch = extract(server, landing, sleeps=sleeps)
    assert len(sleeps) == 2 and batch.streams["posts"].records == 127


@pytest.mark.parametrize("kind", ["php_notice", "invalid_json", "html", "object", "no_total"])
def test_a_malformed_page_fails_naming_the_page_and_commits_nothing(server, landing, kind):
    server.faults.malformed_page(resource="posts", page=2, kind=kind)
    with pytest.raises(MalformedPageError, match=r"page=2 \(page 2\)"):
        extract(server, landing, page_size=50)
    assert not list(landing.rglob(MANIFEST))


def test_application_password_is_sent_and_a_wrong_one_fails_at_once(server, landing):
    batch = extract(server, landing, username=APP_USER, password=APP_PASSWORD)
    assert batch.streams["posts"].records == 127
    server.request_log.clear()
    with pytest.raises(AuthError, match="401 incorrect_password") as info:
        extract(server, landing, username=APP_USER, password="wrong-password-123", sleeps=Sleeps())
    assert "wrong-password-123" not in str(info.value)
    assert len(server.request_log) == 1
    assert "wrong-password-123" not in repr(config(server, username=APP_USER, password="wrong-password-123"))


def test_the_cms_kind_is_configuration():
    class Conn:
        host, port, login, password = None, None, None, None
        extra_dejson = {"base_url": "https://djpk.example.go.id", "kind": "wordpress", "lookback_days": 3}

    cfg = CmsConfig.from_connection(Conn())
    assert (cfg.kind, cfg.base_url, cfg.lookback) == ("wordpress", "https://djpk.example.go.id", dt.timedelta(days=3))
    Conn.extra_dejson = {"base_url": "https://djpk.example.go.id", "kind": "drupal"}
    with pytest.raises(ValueError, match="kind 'drupal' is not supported; supported: wordpress"):
        CmsConfig.from_connection(Conn())
