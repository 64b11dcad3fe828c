"""The Meta Graph API extractor against the local stand-in (real HTTP, real API shapes, faults)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from urllib.parse import parse_qs, urlsplit

import pytest

from extractors.common.batch import MANIFEST, read_manifest
from extractors.common.http import AuthError, MalformedPageError, RetryPolicy, SourceError
from extractors.meta import MetaConfig, run_extract
from extractors.meta.client import ItemUnavailableError
from extractors.meta.config import MetricSpec
from simulators.meta import GraphStandIn
from simulators.scenario.social import local_month
from tests.helpers import FAST_RETRY, Sleeps, records, rows, stand_in

TOKEN = "EAAG-test-token-7c1d"
WIB = dt.timezone(dt.timedelta(hours=7))
DEC_20 = dt.datetime(2023, 12, 20, tzinfo=dt.UTC)
DEC_21 = dt.datetime(2023, 12, 21, tzinfo=dt.UTC)


server, _clean = stand_in(
    lambda: GraphStandIn(seed=2023, access_token=TOKEN), GraphStandIn.reset_usage, lambda s: s.set_now(None)
)


def config(server, **kw) -> MetaConfig:
    kw.setdefault("ig_user_id", server.ig_user_id)
    kw.setdefault("page_id", server.page_id)
    return MetaConfig(
        base_url=server.base_url,
        access_token=kw.pop("access_token", TOKEN),
        retry=FAST_RETRY,
        **kw,
    )


def extract(server, landing, since=None, until=None, sleeps=None, **kw):
    cfg = config(server, **kw)
    client = cfg.client()
    if sleeps is not None:
        client.sleep = sleeps
    return run_extract(cfg, landing, since, until, full_refresh=since is None, client=client), client


def rejects(batch, stream) -> list[dict]:
    path = batch.folder / f"{stream}.rejects.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def logged(server, fragment: str) -> list[dict]:
    """Query strings of the logged requests whose path contains ``fragment``."""
    return [parse_qs(urlsplit(p).query) for _, p, _ in server.request_log if fragment in urlsplit(p).path]


def test_full_refresh_follows_the_cursors_through_every_page(server, landing):
    batch, _ = extract(server, landing, page_size=25, history_start=dt.date(2022, 12, 1))
    world = server.world
    media, posts = batch.streams["ig_media"], batch.streams["fb_posts"]
    assert media.records == len(world.ig_media) and posts.records == len(world.fb_posts)
    assert media.pages == math.ceil(len(world.ig_media) / 25) and posts.pages == math.ceil(len(world.fb_posts) / 25)
    assert {r["id"] for r in rows(batch, "ig_media")} == {m["id"] for m in world.ig_media}
    pages = logged(server, "/media")
    assert "after" not in pages[0] and all("after" in q and q["limit"] == ["25"] for q in pages[1:])
    # every feed/reels media got its lifetime insights; the ad did not
    feed = {m["id"] for m in world.ig_media if m["media_product_type"] in ("FEED", "REELS")}
    assert {r["media_id"] for r in rows(batch, "ig_media_insights")} == feed
    m = read_manifest(batch.folder)
    assert m["window"]["full_refresh"] and m["streams"]["ig_media"]["full_refresh"]
    assert not m["streams"]["ig_stories"]["full_refresh"]  # stories are never reconciled: the API forgets them


def test_insights_windows_stay_within_the_limits(server, landing):
    extract(server, landing, history_start=dt.date(2022, 12, 1), insights_window_days=30)
    for q in logged(server, "/insights"):
        if "since" in q:
            span = int(q["until"][0]) - int(q["since"][0])
            assert 0 < span <= 30 * 86400
            if q.get("metric_type") == ["total_value"]:
                assert span == 86400  # total_value metrics one day at a time
    # time series windows tile the history without gaps
    reach = sorted(
        (int(q["since"][0]), int(q["until"][0]))
        for q in logged(server, f"/{server.ig_user_id}/insights")
        if q["metric"] == ["reach"]
    )
    assert all(a[1] == b[0] for a, b in zip(reach, reach[1:], strict=False))


def test_a_december_window_reads_the_window_minus_the_lookback(server, landing):
    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21)
    read_from = DEC_20 - dt.timedelta(days=7)
    expected = [m for m in server.world.ig_media if read_from <= m["_at"] < DEC_21 + dt.timedelta(seconds=1)]
    assert {r["id"] for r in rows(batch, "ig_media")} == {m["id"] for m in expected}
    m = read_manifest(batch.folder)
    assert m["window"]["read_from"] == read_from.isoformat() and not m["streams"]["ig_media"]["full_refresh"]


def test_stories_are_only_the_last_24_hours_and_earlier_captures_are_imported(server, landing, tmp_path):
    story = next(s for s in server.world.ig_stories if local_month(s["_at"]) == "2023-12")
    server.set_now(story["_at"] + dt.timedelta(hours=23))
    batch, _ = extract(server, landing / "one", since=DEC_20, until=DEC_21)
    visible = {
        s["id"]
        for s in server.world.ig_stories
        if story["_at"] + dt.timedelta(hours=-1) < s["_at"] <= story["_at"] + dt.timedelta(hours=23)
    }
    assert {r["id"] for r in rows(batch, "ig_stories")} == visible and story["id"] in visible
    server.set_now(None)
    server.request_log.clear()
    # what daily captures since 1 November would have stored, imported by a full refresh (history_dir)
    history = tmp_path / "history"
    server.write_capture_history(history, since=dt.date(2023, 11, 1))
    batch, _ = extract(
        server,
        landing / "history",
        history_dir=str(history),
        ig_user_metrics=[],
        page_metrics=[],
        ig_media_metrics=[],
        post_metrics=[],
    )
    since_nov = {s["id"] for s in server.world.ig_stories if s["_at"] >= dt.datetime(2023, 11, 1, tzinfo=WIB)}
    assert {r["id"] for r in rows(batch, "ig_stories")} == since_nov
    snaps = {
        r["snapshot_date"]: json.loads(r["record"])["followers_count"] for r in rows(batch, "ig_account_snapshots")
    }
    assert len(snaps) == 61 and snaps["2023-12-31"] == server.world.ig_followers[dt.date(2023, 12, 31)]
    assert snaps["2023-11-30"] == server.world.ig_followers[dt.date(2023, 11, 30)]
    assert len(logged(server, "/stories")) == 1  # one live capture; no request asks for another instant
    assert not any("as_of" in parse_qs(urlsplit(p).query) for _, p, _ in server.request_log)
    window = read_manifest(batch.folder)["window"]
    assert window["imported"]["ig_account_snapshots"] == 60 and window["imported"]["fb_page_snapshots"] == 60
    # an incremental run imports nothing: the folder is for a full refresh
    batch, _ = extract(server, landing / "incremental", since=DEC_20, until=DEC_21, history_dir=str(history))
    assert batch.streams["ig_account_snapshots"].records == 1


def test_usage_above_the_threshold_slows_the_client_down(server, landing, caplog):
    server.faults.usage(85, n=1, header="buc")
    sleeps = Sleeps()
    with caplog.at_level(logging.WARNING):
        _, client = extract(server, landing, since=DEC_20, until=DEC_21, sleeps=sleeps, throttle_seconds=60)
    assert client.max_usage_pct == 85
    assert len(client.pauses) == 1 and sleeps == client.pauses
    assert 60 * 5 / 21 - 1 < client.pauses[0] <= 60 * 6 / 21  # (85 - 80 + 1) / (100 - 80 + 1) of 60 s
    assert "API usage 85%" in caplog.text and TOKEN not in caplog.text


def test_estimated_time_to_regain_access_is_waited(server, landing):
    server.faults.usage(97, n=1, regain_minutes=3, header="app")
    sleeps = Sleeps()
    _, client = extract(server, landing, since=DEC_20, until=DEC_21, sleeps=sleeps)
    assert client.pauses and client.pauses[0] == pytest.approx(180, abs=1)


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_rate_limit_error_codes_are_waited_out_and_retried(server, landing, code):
    server.faults.rate_limit_error(code=code, n=2, regain_minutes=2)
    sleeps = Sleeps()
    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21, sleeps=sleeps)
    assert sleeps[:2] == [120.0, 120.0]
    assert [s for _, _, s in server.request_log[:3]] == [400, 400, 200]
    assert batch.streams["ig_account_snapshots"].records == 1


def test_a_rate_limit_error_without_a_regain_time_waits_the_configured_wait(server, landing):
    server.faults.rate_limit_error(code=17, n=1)
    sleeps = Sleeps()
    cfg = config(server)
    client = cfg.client()
    client.sleep, client.rate_limit_wait = sleeps, 42.0
    run_extract(cfg, landing, DEC_20, DEC_21, client=client)
    assert sleeps[0] == 42.0


def test_a_deprecated_metric_is_dropped_alone_and_reported(server, landing, caplog):
    metrics = [MetricSpec("reach"), MetricSpec("impressions"), MetricSpec("views", "total_value")]
    with caplog.at_level(logging.WARNING):
        batch, _ = extract(
            server,
            landing,
            since=DEC_20,
            until=DEC_21,
            ig_user_metrics=metrics,
            page_metrics=["page_follows", "page_impressions", "page_media_view"],
        )
    ig = records(batch, "ig_user_insights")
    assert {r["metric"] for r in ig} == {"reach", "views"} and len(ig) == 2 * 8  # 13..20 Dec, both metrics
    page = records(batch, "fb_page_insights")
    assert {r["metric"] for r in page} == {"page_follows", "page_media_view"}
    dropped = read_manifest(batch.folder)["window"]["dropped_metrics"]
    assert {(d["scope"], d["metric"]) for d in dropped} == {("ig_user", "impressions"), ("page", "page_impressions")}
    rej = rejects(batch, "ig_user_insights")
    assert [r["key"] for r in rej] == ["metric=impressions"]
    assert "valid insights metric" in rej[0]["reason"] and "views with metric_type=total_value" in rej[0]["reason"]
    assert "METRIC DROPPED: impressions" in caplog.text and "retired on 2025-04-21" in caplog.text
    # found once (the failing combined call, then each metric alone), never asked again
    asked = [q for q in logged(server, f"/{server.ig_user_id}/insights") if "impressions" in q["metric"][0]]
    assert len(asked) == 2
    # the rest of the run is complete
    assert batch.streams["ig_media"].records > 0 and batch.streams["fb_post_insights"].records > 0


def test_the_dropped_metric_lands_in_the_quarantine_and_the_rest_loads(server, landing, conn):
    from loaders import load_batch

    batch, _ = extract(
        server, landing, since=DEC_20, until=DEC_21, ig_user_metrics=[MetricSpec("reach"), MetricSpec("impressions")]
    )
    load_batch(conn, batch.folder)
    q = conn.execute("select stream, record_key, reason from raw._quarantine where source = 'meta'").fetchall()
    assert [(s, k) for s, k, _ in q] == [("ig_user_insights", "metric=impressions")]
    assert conn.execute("select count(*) from raw.meta__ig_user_insights where metric = 'reach'").fetchone()[0] == 8
    window = conn.execute("select window_ -> 'dropped_metrics' from raw._batches").fetchone()[0]
    assert window[0]["metric"] == "impressions"
    load_batch(conn, batch.folder)  # a rerun counts the same problem again, not a new one
    assert conn.execute("select count(*), max(times_seen) from raw._quarantine").fetchone() == (1, 1)


def test_a_bad_token_fails_at_once_with_a_clear_message(server, landing, caplog):
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthError, match=r"access token was rejected.*code 190") as exc:
        extract(server, landing, since=DEC_20, until=DEC_21, access_token="wrong-token-123")
    assert len(server.request_log) == 1
    assert "wrong-token-123" not in str(exc.value) and "wrong-token-123" not in caplog.text
    assert not list(landing.rglob(MANIFEST))


def test_the_token_as_query_parameter_works_and_a_bad_one_is_rejected_too(server, landing):
    batch, _ = extract(server, landing / "ok", since=DEC_20, until=DEC_21, token_placement="query")
    assert batch.streams["ig_account_snapshots"].records == 1
    assert "access_token" not in "".join(p.read_text() for p in batch.folder.iterdir())
    with pytest.raises(AuthError, match="code 190") as exc:
        extract(server, landing / "bad", since=DEC_20, until=DEC_21, token_placement="query", access_token="nope-456")
    assert "nope-456" not in str(exc.value)


def test_the_token_is_in_no_lineage_and_no_log(server, landing, caplog):
    with caplog.at_level(logging.DEBUG):
        batch, _ = extract(server, landing, since=DEC_20, until=DEC_21)
    text = "".join(p.read_text() for p in batch.folder.iterdir())
    assert TOKEN not in text and TOKEN not in caplog.text
    assert all(r["_request"].startswith("GET /") for r in rows(batch, "ig_media"))


def test_a_server_error_is_retried(server, landing):
    server.faults.server_error(n=2)
    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21, sleeps=Sleeps())
    assert [s for _, _, s in server.request_log[:3]] == [500, 500, 200]
    assert batch.streams["ig_account_snapshots"].records == 1


def test_a_malformed_page_fails_naming_the_request_and_page(server, landing):
    server.faults.malformed_page(edge="media", page=2)
    with pytest.raises(MalformedPageError, match=r"/media\?.*after=.*\(page 2\)"):
        extract(server, landing, page_size=50, ig_user_metrics=[], history_start=dt.date(2023, 12, 1))
    assert not list(landing.rglob(MANIFEST))


def test_the_connection_is_read_at_run_time_only(server):
    class Conn:
        password = TOKEN
        host = None
        extra_dejson = {
            "base_url": server.base_url,
            "ig_user_id": server.ig_user_id,
            "page_id": server.page_id,
            "ig_user_metrics": ["reach", {"name": "views", "metric_type": "total_value"}],
            "page_metrics": ["page_follows"],
            "lookback_days": 3,
            "history_start": "2023-01-01",
            "history_dir": "/data/meta-history",
        }

    cfg = MetaConfig.from_connection(Conn())
    assert cfg.ig_user_metrics == [MetricSpec("reach"), MetricSpec("views", "total_value")]
    assert cfg.page_metrics == ["page_follows"] and cfg.lookback == dt.timedelta(days=3)
    assert cfg.history_dir == "/data/meta-history" and cfg.history_start == dt.date(2023, 1, 1)
    assert TOKEN not in repr(cfg) and TOKEN not in repr(cfg.client().auth)


# ------------------------------------------------------------ per-item errors


def window_items(server, product_types=("FEED", "REELS")) -> list[dict]:
    """The media a DEC_20..DEC_21 run asks insights for (the window minus the 7-day lookback)."""
    read_from = DEC_20 - dt.timedelta(days=7)
    return [
        m for m in server.world.ig_media if read_from <= m["_at"] < DEC_21 and m["media_product_type"] in product_types
    ]


def window_posts(server) -> list[dict]:
    read_from = DEC_20 - dt.timedelta(days=7)
    return [p for p in server.world.fb_posts if read_from <= p["_at"] < DEC_21]


def test_a_media_posted_before_the_business_conversion_is_skipped_and_the_run_completes(server, landing, caplog):
    media = window_items(server)
    bad = media[1]
    server.faults.item_error(bad["id"], "converted")
    with caplog.at_level(logging.DEBUG):
        batch, _ = extract(server, landing, since=DEC_20, until=DEC_21)
    assert (batch.folder / MANIFEST).exists()  # the run completed
    loaded = {r["media_id"] for r in rows(batch, "ig_media_insights")}
    assert loaded == {m["id"] for m in media} - {bad["id"]} and len(loaded) == len(media) - 1
    assert batch.streams["fb_post_insights"].records > 0 and batch.streams["ig_user_insights"].records > 0
    rej = rejects(batch, "ig_media_insights")
    assert [r["key"] for r in rej] == [f"media_id={bad['id']},metric=reach", f"media_id={bad['id']},metric=views"]
    assert all(
        "posted before the account was converted to a business account" in r["reason"]
        and "code 100/2108006" in r["reason"]
        and "other items loaded" in r["reason"]
        for r in rej
    )
    assert rej[0]["record"]["error"]["error_subcode"] == 2108006 and rej[0]["request"].startswith(
        f"GET /{bad['id']}/insights?metric="
    )
    skipped = read_manifest(batch.folder)["window"]["skipped_items"]
    assert skipped == [
        {
            "stream": "ig_media_insights",
            "key": f"media_id={bad['id']}",
            "code": 100,
            "error_subcode": 2108006,
            "reason": skipped[0]["reason"],
        }
    ]
    # the log names the key and the reason, never the media's text or the token
    assert f"media_id={bad['id']} skipped" in caplog.text and "2108006" in caplog.text
    assert bad["caption"] not in caplog.text and TOKEN not in caplog.text


def test_not_enough_viewers_skips_that_item_and_is_no_authentication_failure(server, landing, caplog):
    post = window_posts(server)[0]
    media = window_items(server)[0]
    server.faults.item_error(post["id"], "not_enough_viewers")
    server.faults.item_error(media["id"], "not_enough_viewers")
    with caplog.at_level(logging.WARNING):
        batch, _ = extract(server, landing, since=DEC_20, until=DEC_21)
    assert "access token" not in caplog.text and "permission denied" not in caplog.text
    posts = {r["post_id"] for r in rows(batch, "fb_post_insights")}
    assert posts == {p["id"] for p in window_posts(server)} - {post["id"]}
    rej = rejects(batch, "fb_post_insights")
    assert {r["key"] for r in rej} == {
        f"post_id={post['id']},metric=post_total_media_view_unique",
        f"post_id={post['id']},metric=post_media_view",
    }
    assert all(
        "too few viewers" in r["reason"] and "Not enough viewers" in r["reason"] and "code 10" in r["reason"]
        for r in rej
    )
    assert {r["key"].split(",")[0] for r in rejects(batch, "ig_media_insights")} == {f"media_id={media['id']}"}
    assert post["message"] not in caplog.text


def test_the_skipped_items_land_in_the_quarantine_and_every_other_item_loads(server, landing, conn):
    from loaders import load_batch

    bad, other = window_items(server)[:2]
    with GraphStandIn(seed=2023, access_token=TOKEN, item_errors={bad["id"]: "converted"}) as srv:
        batch, _ = extract(srv, landing, since=DEC_20, until=DEC_21)
    load_batch(conn, batch.folder)
    q = conn.execute(
        "select stream, record_key, reason from raw._quarantine where source = 'meta' order by record_key"
    ).fetchall()
    assert [(s, k) for s, k, _ in q] == [
        ("ig_media_insights", f"media_id={bad['id']},metric=reach"),
        ("ig_media_insights", f"media_id={bad['id']},metric=views"),
    ]
    assert "2108006" in q[0][2]
    got = dict(conn.execute("select media_id, count(*) from raw.meta__ig_media_insights group by 1").fetchall())
    assert bad["id"] not in got and got[other["id"]] == 2
    assert len(got) == len(window_items(server)) - 1


def test_an_object_gone_between_listing_and_insights_is_skipped(server, landing):
    post = window_posts(server)[-1]
    server.faults.item_error(post["id"], "gone")
    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21)
    rej = rejects(batch, "fb_post_insights")
    assert rej and all(r["key"].startswith(f"post_id={post['id']},") and "code 100/33" in r["reason"] for r in rej)


def test_an_expired_token_mid_run_fails_fast_naming_the_source_without_the_token(server, landing, caplog):
    server.faults.token_error(after=5)
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthError) as exc:
        extract(server, landing, since=DEC_20, until=DEC_21, sleeps=Sleeps())
    msg = str(exc.value)
    assert msg.startswith("meta: the access token was rejected") and "code 190/463" in msg
    assert "connection" in msg and "not retried" in msg
    assert TOKEN not in msg and TOKEN not in caplog.text
    assert [s for _, _, s in server.request_log] == [200] * 5 + [400]  # not retried, nothing after it
    assert not list(landing.rglob(MANIFEST))


class _FakeSession:
    """A session answering every GET with one Graph error (for what the stand-in cannot send)."""

    def __init__(self, status: int, error: dict):
        self.status, self.error, self.headers, self.auth = status, error, {}, None

    def get(self, url, params=None, timeout=None):
        import requests

        resp = requests.Response()
        resp.status_code, resp.url = self.status, url
        resp._content = json.dumps({"error": self.error}).encode()
        resp.headers["Content-Type"] = "application/json"
        return resp


def _client_with(status: int, error: dict):
    cfg = MetaConfig(
        base_url="http://127.0.0.1:1/v19.0",
        access_token=TOKEN,
        ig_user_id="1",
        retry=RetryPolicy(attempts=2, initial=0.01, max_backoff=0.01),
    )
    client = cfg.client()
    client.session = _FakeSession(status, error)
    client.sleep = Sleeps()
    return client


def test_a_token_in_metas_own_error_message_is_scrubbed():
    client = _client_with(
        400, {"message": f"Malformed access token {TOKEN}", "type": "OAuthException", "code": 190, "fbtrace_id": "x"}
    )
    with pytest.raises(AuthError) as exc:
        client.get("/17841401930541267")
    assert TOKEN not in str(exc.value) and "***" in str(exc.value) and str(exc.value).startswith("meta:")


def test_code_10_without_not_enough_viewers_is_still_a_missing_permission():
    client = _client_with(
        403,
        {"message": "(#10) Application does not have permission for this action", "type": "OAuthException", "code": 10},
    )
    with pytest.raises(AuthError, match="permission denied"):
        client.get("/17841401930541267/insights")
    client = _client_with(
        400,
        {"message": "(#10) Not enough viewers for the media to show insights", "type": "OAuthException", "code": 10},
    )
    with pytest.raises(ItemUnavailableError) as exc:
        client.get("/1/insights")
    assert not isinstance(exc.value, AuthError) and isinstance(exc.value, SourceError)


def test_an_item_error_outside_object_insights_still_fails_the_run(server, landing):
    with pytest.raises(ItemUnavailableError, match=r"^meta: GET /999: the object does not exist"):
        extract(server, landing, since=DEC_20, until=DEC_21, ig_user_id="999", page_id=None)
    assert not list(landing.rglob(MANIFEST))
