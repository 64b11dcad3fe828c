"""The Meta Graph API extractor against the local stand-in (real HTTP, real API shapes, faults)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import math
from urllib.parse import parse_qs, urlsplit

import pytest

from extractors.common.batch import MANIFEST, read_manifest
from extractors.common.http import AuthError, MalformedPageError, RetryPolicy
from extractors.meta import MetaConfig, run_extract
from extractors.meta.config import MetricSpec, SimulatedClock
from simulators.meta import GraphStandIn
from simulators.scenario.social import local_month

TOKEN = "EAAG-test-token-7c1d"
WIB = dt.timezone(dt.timedelta(hours=7))
DEC_20 = dt.datetime(2023, 12, 20, tzinfo=dt.UTC)
DEC_21 = dt.datetime(2023, 12, 21, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def server():
    with GraphStandIn(seed=2023, access_token=TOKEN) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean(server):
    server.faults.clear()
    server.request_log.clear()
    server.reset_usage()
    server.set_now(None)
    yield
    server.faults.clear()


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def config(server, **kw) -> MetaConfig:
    kw.setdefault("ig_user_id", server.ig_user_id)
    kw.setdefault("page_id", server.page_id)
    return MetaConfig(base_url=server.base_url, access_token=kw.pop("access_token", TOKEN),
                      retry=RetryPolicy(attempts=4, initial=0.01, max_backoff=0.05), **kw)


def extract(server, landing, since=None, until=None, sleeps=None, **kw):
    cfg = config(server, **kw)
    client = cfg.client()
    if sleeps is not None:
        client.sleep = sleeps
    return run_extract(cfg, landing, since, until, full_refresh=since is None, client=client), client


def rows(batch, stream) -> list[dict]:
    with open(batch.folder / f"{stream}.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def records(batch, stream) -> list[dict]:
    return [json.loads(r["record"]) for r in rows(batch, stream)]


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
    reach = sorted((int(q["since"][0]), int(q["until"][0])) for q in logged(server, f"/{server.ig_user_id}/insights")
                   if q["metric"] == ["reach"])
    assert all(a[1] == b[0] for a, b in zip(reach, reach[1:]))


def test_a_december_window_reads_the_window_minus_the_lookback(server, landing):
    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21)
    read_from = DEC_20 - dt.timedelta(days=7)
    expected = [m for m in server.world.ig_media if read_from <= m["_at"] < DEC_21 + dt.timedelta(seconds=1)]
    assert {r["id"] for r in rows(batch, "ig_media")} == {m["id"] for m in expected}
    m = read_manifest(batch.folder)
    assert m["window"]["read_from"] == read_from.isoformat() and not m["streams"]["ig_media"]["full_refresh"]


def test_stories_are_only_the_last_24_hours_and_a_replay_catches_every_one(server, landing):
    story = next(s for s in server.world.ig_stories if local_month(s["_at"]) == "2023-12")
    server.set_now(story["_at"] + dt.timedelta(hours=23))
    batch, _ = extract(server, landing / "one", since=DEC_20, until=DEC_21)
    visible = {s["id"] for s in server.world.ig_stories
               if story["_at"] + dt.timedelta(hours=-1) < s["_at"] <= story["_at"] + dt.timedelta(hours=23)}
    assert {r["id"] for r in rows(batch, "ig_stories")} == visible and story["id"] in visible
    server.set_now(None)
    server.request_log.clear()
    clock = SimulatedClock("as_of", dt.date(2023, 11, 1))
    batch, _ = extract(server, landing / "replay", clock=clock, ig_user_metrics=[], page_metrics=[],
                       ig_media_metrics=[], post_metrics=[])
    since_nov = {s["id"] for s in server.world.ig_stories if s["_at"] >= dt.datetime(2023, 11, 1, tzinfo=WIB)}
    assert {r["id"] for r in rows(batch, "ig_stories")} == since_nov
    snaps = {r["snapshot_date"]: json.loads(r["record"])["followers_count"] for r in rows(batch, "ig_account_snapshots")}
    assert len(snaps) == 61 and snaps["2023-12-31"] == server.world.ig_followers[dt.date(2023, 12, 31)]
    assert all(q.get("as_of") for q in logged(server, "/stories")[1:])


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
        batch, _ = extract(server, landing, since=DEC_20, until=DEC_21, ig_user_metrics=metrics,
                           page_metrics=["page_follows", "page_impressions", "page_media_view"])
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

    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21,
                       ig_user_metrics=[MetricSpec("reach"), MetricSpec("impressions")])
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
        extra_dejson = {"base_url": server.base_url, "ig_user_id": server.ig_user_id, "page_id": server.page_id,
                        "ig_user_metrics": ["reach", {"name": "views", "metric_type": "total_value"}],
                        "page_metrics": ["page_follows"], "lookback_days": 3, "history_start": "2023-01-01",
                        "simulated_clock": {"param": "as_of", "replay_from": "2023-12-01"}}

    cfg = MetaConfig.from_connection(Conn())
    assert cfg.ig_user_metrics == [MetricSpec("reach"), MetricSpec("views", "total_value")]
    assert cfg.page_metrics == ["page_follows"] and cfg.lookback == dt.timedelta(days=3)
    assert cfg.clock == SimulatedClock("as_of", dt.date(2023, 12, 1))
    assert TOKEN not in repr(cfg) and TOKEN not in repr(cfg.client().auth)
