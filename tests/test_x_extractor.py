"""The X API v2 extractor and the analytics CSV reader against the local stand-in."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
from urllib.parse import parse_qs, urlsplit

import pytest

from extractors.common.batch import MANIFEST, read_manifest
from extractors.common.http import AuthError, MalformedPageError, SourceError
from extractors.x import XConfig, run_extract
from extractors.x.client import UsageCapError
from simulators.scenario.social import local_day
from simulators.x import XStandIn
from tests.helpers import FAST_RETRY, Sleeps, rows, stand_in

TOKEN = "AAAAAAAAAAAAAAAAAAAAAtest-bearer-91f"
DEC_20 = dt.datetime(2023, 12, 20, tzinfo=dt.UTC)
DEC_21 = dt.datetime(2023, 12, 21, tzinfo=dt.UTC)


server, _clean = stand_in(lambda: XStandIn(seed=2023, bearer_token=TOKEN), XStandIn.reset_rate_limits)


@pytest.fixture()
def exports(server, tmp_path):
    folder = tmp_path / "analytics"
    server.write_analytics_exports(folder)
    return folder


def extract(server, landing, since=None, until=None, sleeps=None, **kw):
    cfg = XConfig(
        base_url=server.base_url,
        bearer_token=kw.pop("bearer_token", TOKEN),
        retry=FAST_RETRY,
        **kw,
    )
    client = cfg.client()
    if sleeps is not None:
        client.sleep = sleeps
    return run_extract(cfg, landing, since, until, full_refresh=since is None, client=client), client


def tweet_queries(server) -> list[dict]:
    return [parse_qs(urlsplit(p).query) for _, p, _ in server.request_log if p.split("?")[0].endswith("/tweets")]


def test_full_refresh_pages_with_pagination_token_through_the_whole_timeline(server, landing):
    batch, client = extract(server, landing, page_size=50)
    tweets = batch.streams["tweets"]
    assert tweets.records == len(server.world.x_tweets)
    assert {r["id"] for r in rows(batch, "tweets")} == {t["id"] for t in server.world.x_tweets}
    assert tweets.pages == math.ceil(len(server.world.x_tweets) / 50)
    queries = tweet_queries(server)
    assert "pagination_token" not in queries[0] and all("pagination_token" in q for q in queries[1:])
    assert all(q["max_results"] == ["50"] for q in queries)
    m = read_manifest(batch.folder)
    assert m["streams"]["tweets"]["full_refresh"] and not m["streams"]["user_snapshots"]["full_refresh"]
    assert m["requests"] == client.request_count == 1 + len(queries)


def test_a_window_asks_for_start_and_end_time_minus_the_lookback(server, landing):
    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21)
    start = DEC_20 - dt.timedelta(days=7)
    end = DEC_21 - dt.timedelta(seconds=10)
    expected = {t["id"] for t in server.world.x_tweets if start <= t["_at"] < end}
    assert {r["id"] for r in rows(batch, "tweets")} == expected
    q = tweet_queries(server)[0]
    assert q["start_time"] == ["2023-12-13T00:00:00Z"] and q["end_time"] == ["2023-12-20T23:59:50Z"]
    assert not read_manifest(batch.folder)["streams"]["tweets"]["full_refresh"]


def test_429_waits_until_x_rate_limit_reset_then_succeeds(server, landing, caplog):
    server.faults.rate_limit(n=2, reset_in=7)
    sleeps = Sleeps()
    with caplog.at_level(logging.DEBUG):
        batch, _ = extract(server, landing, since=DEC_20, until=DEC_21, sleeps=sleeps)
    assert [s for _, _, s in server.request_log[:3]] == [429, 429, 200]
    assert len(sleeps) >= 2 and all(5.0 <= s <= 7.0 for s in sleeps[:2])  # reset - now, not a guess
    assert batch.streams["user_snapshots"].records == 1
    assert TOKEN not in caplog.text


def test_remaining_zero_waits_for_the_reset_before_the_next_call(server, landing):
    server.faults.exhaust(reset_in=30)
    sleeps = Sleeps()
    batch, client = extract(server, landing, since=DEC_20, until=DEC_21, sleeps=sleeps)
    assert client.waits and 28.0 <= client.waits[0] <= 30.0 and sleeps[0] == client.waits[0]
    assert 429 not in [s for _, _, s in server.request_log]  # waited before, never ran into the limit
    assert batch.streams["tweets"].records > 0


def test_the_stand_ins_window_limit_answers_429_with_its_reset(landing):
    with XStandIn(seed=2023, bearer_token=TOKEN, limits={"user_tweets": 2}) as srv:
        sleeps = Sleeps()
        with pytest.raises(Exception, match="429"):
            extract(srv, landing, page_size=5, sleeps=sleeps)
        statuses = [s for _, p, s in srv.request_log if "/tweets" in p]
        assert statuses[:2] == [200, 200] and set(statuses[2:]) == {429}
        assert all(800 <= s <= 900 for s in sleeps[1:])  # the 15-minute window's reset, capped by max_wait


def test_a_bad_token_fails_at_once_with_a_clear_message(server, landing, caplog):
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthError, match=r"401 Unauthorized.*Bearer token") as exc:
        extract(server, landing, since=DEC_20, until=DEC_21, bearer_token="wrong-bearer-77")
    assert len(server.request_log) == 1
    assert "wrong-bearer-77" not in str(exc.value) and "wrong-bearer-77" not in caplog.text
    assert not list(landing.rglob(MANIFEST))


def test_an_unknown_user_fails_loudly(server, landing):
    with pytest.raises(SourceError, match="Could not find user"):
        extract(server, landing, since=DEC_20, until=DEC_21, username="NoSuchAccount")


def test_a_malformed_page_fails_naming_the_request_and_page(server, landing):
    server.faults.malformed_page(page=2)
    with pytest.raises(MalformedPageError, match=r"/tweets\?.*pagination_token=.*\(page 2\)"):
        extract(server, landing, page_size=100)
    assert not list(landing.rglob(MANIFEST))


def test_earlier_snapshots_are_imported_on_a_full_refresh_and_the_month_ends_are_the_last_days(
    server, landing, tmp_path
):
    history = tmp_path / "history"
    assert server.write_capture_history(history, since=dt.date(2023, 11, 1)) == 60  # 1 Nov .. 30 Dec
    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21, history_dir=str(history))
    assert batch.streams["user_snapshots"].records == 1  # not a full refresh: nothing imported
    batch, _ = extract(server, landing, history_dir=str(history))
    snaps = {
        r["snapshot_date"]: json.loads(r["record"])["public_metrics"]["followers_count"]
        for r in rows(batch, "user_snapshots")
    }
    assert len(snaps) == 61 and read_manifest(batch.folder)["window"]["imported"] == 60
    assert snaps["2023-11-30"] == server.world.x_followers[dt.date(2023, 11, 30)]
    assert snaps["2023-12-31"] == server.world.x_followers[dt.date(2023, 12, 31)] == 16718
    assert len([p for _, p, _ in server.request_log if "/users/by/username/" in p]) == 2  # one live capture a run
    assert not any("as_of" in p for _, p, _ in server.request_log)


def test_a_bad_history_line_is_quarantined_and_a_missing_folder_fails(server, landing, tmp_path):
    history = tmp_path / "history"
    history.mkdir()
    (history / "user_snapshots.jsonl").write_text(
        '{"id": "1197382040", "username": "DitjenPK", "public_metrics": {"followers_count": 15000}, '
        '"captured_at": "2023-06-30T16:59:59+00:00"}\n'
        "not json\n"
        '{"id": "1", "username": "SomeoneElse", "public_metrics": {"followers_count": 3}, '
        '"captured_at": "2023-06-30T16:59:59+00:00"}\n'
        '{"id": "1197382040", "username": "DitjenPK", "public_metrics": {"followers_count": 15001}}\n'
    )
    batch, _ = extract(server, landing / "a", history_dir=str(history))
    snaps = {r["snapshot_date"] for r in rows(batch, "user_snapshots")}
    assert "2023-06-30" in snaps and len(snaps) == 2
    rej = [json.loads(line) for line in (batch.folder / "user_snapshots.rejects.jsonl").read_text().splitlines()]
    reasons = {r["key"]: r["reason"] for r in rej}
    assert set(reasons) == {
        "file=user_snapshots.jsonl,line=2",
        "file=user_snapshots.jsonl,line=3",
        "file=user_snapshots.jsonl,line=4",
    }
    assert "not JSON" in reasons["file=user_snapshots.jsonl,line=2"]
    assert "another account" in reasons["file=user_snapshots.jsonl,line=3"]
    assert "no captured_at" in reasons["file=user_snapshots.jsonl,line=4"]
    with pytest.raises(SourceError, match="history_dir"):
        extract(server, landing / "b", history_dir=str(tmp_path / "nowhere"))


def test_profile_visits_come_from_the_csv_exports_and_the_newest_export_wins(server, landing, exports):
    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21, analytics_dir=str(exports))
    got = {r["date"]: json.loads(r["record"]) for r in rows(batch, "account_analytics")}
    # the same day appears in the mid-month export (incomplete) and in the full one, read later: last copy wins
    dec15 = [json.loads(r["record"]) for r in rows(batch, "account_analytics") if r["date"] == "2023-12-15"]
    assert (
        len(dec15) == 2 and dec15[-1]["profile_visits"] == server.world.x_daily[dt.date(2023, 12, 15)]["Profile visits"]
    )
    assert dec15[0]["profile_visits"] < dec15[-1]["profile_visits"]
    december = [v["profile_visits"] for d, v in got.items() if d.startswith("2023-12")]
    assert len(december) == 31 and sum(december) == 1663
    assert got["2023-12-01"]["date_text"] == "Fri, Dec 1, 2023" and "new_follows" in got["2023-12-01"]


def test_bad_export_rows_and_foreign_files_are_quarantined_not_loaded(server, landing, exports):
    bad = exports / "account_overview_analytics_manual_fix.csv"
    bad.write_text("Date,Impressions,Profile visits\n2023-12-02,10,5\nsometime in December,3,2\n2023-12-03,4,lots\n")
    os.utime(bad, (4102444800, 4102444800))  # the newest file
    (exports / "post_level_export.csv").write_text("Post id,Impressions\n1,2\n")
    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21, analytics_dir=str(exports))
    rej = [json.loads(line) for line in (batch.folder / "account_analytics.rejects.jsonl").read_text().splitlines()]
    reasons = {r["key"]: r["reason"] for r in rej}
    assert "unreadable date" in reasons["file=account_overview_analytics_manual_fix.csv,line=3"]
    assert "profile_visits" in reasons["username=DitjenPK,date=2023-12-03"]
    assert "not an X account overview export" in reasons["file=post_level_export.csv,line=-"]
    last = [json.loads(r["record"]) for r in rows(batch, "account_analytics") if r["date"] == "2023-12-02"][-1]
    assert last["profile_visits"] == 5 and last["source_file"] == bad.name


def test_a_missing_analytics_folder_fails_and_no_folder_configured_only_warns(server, landing, tmp_path, caplog):
    with pytest.raises(SourceError, match="analytics_dir"):
        extract(server, landing / "a", since=DEC_20, until=DEC_21, analytics_dir=str(tmp_path / "nowhere"))
    with caplog.at_level(logging.WARNING):
        batch, _ = extract(server, landing / "b", since=DEC_20, until=DEC_21)
    assert batch.streams["account_analytics"].records == 0 and "profile visits are not loaded" in caplog.text


def test_the_batch_loads_and_a_rerun_changes_nothing(server, landing, exports, conn):
    from loaders import load_batch

    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21, analytics_dir=str(exports))
    load_batch(conn, batch.folder)
    visits = conn.execute("""select sum((record ->> 'profile_visits')::int) from raw.x__account_analytics
                             where date between '2023-12-01' and '2023-12-31'""").fetchone()[0]
    assert visits == 1663
    before = conn.execute("select count(*), max(_loaded_at) from raw.x__tweets").fetchone()
    batch2, _ = extract(server, landing, since=DEC_20, until=DEC_21, analytics_dir=str(exports))
    load_batch(conn, batch2.folder)
    assert conn.execute("select count(*), max(_loaded_at) from raw.x__tweets").fetchone() == before
    tweet_local_days = {local_day(t["_at"]) for t in server.world.x_tweets}
    assert conn.execute("select count(*) from raw.x__tweets").fetchone()[0] == before[0] > 0 and tweet_local_days


# ------------------------------------------------------------ per-item errors


def window_tweets(server) -> list[dict]:
    """The posts a DEC_20..DEC_21 run reads (the window minus the 7-day lookback)."""
    start, end = DEC_20 - dt.timedelta(days=7), DEC_21 - dt.timedelta(seconds=10)
    return sorted((t for t in server.world.x_tweets if start <= t["_at"] < end), key=lambda t: t["_at"])


def rejects(batch, stream) -> list[dict]:
    return [json.loads(line) for line in (batch.folder / f"{stream}.rejects.jsonl").read_text().splitlines()]


@pytest.mark.parametrize(
    "kind, title",
    [
        ("not_found", "Not Found Error (resource-not-found)"),
        ("not_authorized", "Authorization Error (not-authorized-for-resource)"),
    ],
)
def test_a_post_the_timeline_reports_an_error_about_is_skipped_and_the_rest_loads(server, landing, caplog, kind, title):
    tweets = window_tweets(server)
    bad = tweets[len(tweets) // 2]
    server.faults.tweet_error(bad["id"], kind)
    with caplog.at_level(logging.DEBUG):
        batch, _ = extract(server, landing, since=DEC_20, until=DEC_21)
    assert (batch.folder / MANIFEST).exists()  # the run completed
    assert {r["id"] for r in rows(batch, "tweets")} == {t["id"] for t in tweets} - {bad["id"]}
    assert batch.streams["user_snapshots"].records == 1
    (rej,) = rejects(batch, "tweets")
    assert rej["key"] == f"id={bad['id']}" and rej["action"] == "rejected" and rej["pk"] == [bad["id"]]
    assert rej["reason"].startswith(title) and "the post is skipped for this run" in rej["reason"]
    assert rej["record"]["error"]["resource_type"] == "tweet" and "text" not in rej["record"]
    assert batch.streams["tweets"].rejected == 1
    window = read_manifest(batch.folder)["window"]
    assert window["skipped_items"] == [
        {"stream": "tweets", "key": f"id={bad['id']}", "kind": title.split("(")[1][:-1], "kept": False}
    ]
    assert f"id={bad['id']} skipped" in caplog.text
    assert bad["text"] not in caplog.text and TOKEN not in caplog.text


def test_a_field_the_post_may_not_show_keeps_the_post_and_records_the_reason(server, landing):
    tweets = window_tweets(server)
    bad = tweets[0]
    server.faults.tweet_error(bad["id"], "field")
    batch, _ = extract(server, landing, since=DEC_20, until=DEC_21)
    got = {r["id"]: json.loads(r["record"]) for r in rows(batch, "tweets")}
    assert set(got) == {t["id"] for t in tweets} and "public_metrics" not in got[bad["id"]]
    (rej,) = rejects(batch, "tweets")
    assert rej["action"] == "nulled" and rej["key"] == f"id={bad['id']}"
    assert "Field Authorization Error (not-authorized-for-field)" in rej["reason"]
    assert "the post loaded without public_metrics" in rej["reason"]
    assert batch.streams["tweets"].rejected == 0 and batch.streams["tweets"].nulled == 1


def test_a_full_refresh_with_a_skipped_post_deletes_nothing_and_loads_the_rest(landing, conn):
    from loaders import load_batch

    with XStandIn(seed=2023, bearer_token=TOKEN) as srv:
        batch, _ = extract(srv, landing / "first")
        load_batch(conn, batch.folder)
    bad = window_tweets(srv)[3]
    with XStandIn(seed=2023, bearer_token=TOKEN, tweet_errors={bad["id"]: "not_authorized"}) as srv:
        batch, _ = extract(srv, landing / "second")
    m = read_manifest(batch.folder)
    assert not m["streams"]["tweets"]["full_refresh"]  # a post came with an error: nothing is deleted
    assert batch.streams["tweets"].records == len(srv.world.x_tweets) - 1
    load_batch(conn, batch.folder)
    assert conn.execute("select count(*) from raw.x__tweets").fetchone()[0] == len(srv.world.x_tweets)
    q = conn.execute("select stream, record_key, reason from raw._quarantine where source = 'x'").fetchall()
    assert [(s, k) for s, k, _ in q] == [("tweets", f"id={bad['id']}")] and "not-authorized-for-resource" in q[0][2]


def test_the_usage_cap_fails_at_once_with_a_clear_message(server, landing, caplog):
    server.faults.usage_cap(n=5)
    sleeps = Sleeps()
    with caplog.at_level(logging.DEBUG), pytest.raises(UsageCapError) as exc:
        extract(server, landing, since=DEC_20, until=DEC_21, sleeps=sleeps)
    msg = str(exc.value)
    assert msg.startswith("x: 429 UsageCapExceeded") and "Monthly" in msg and "not retried" in msg
    assert len(server.request_log) == 1 and sleeps == []  # not waited out, not retried
    assert TOKEN not in msg and TOKEN not in caplog.text
    assert not list(landing.rglob(MANIFEST))
