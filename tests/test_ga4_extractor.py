"""The GA4 extractor against the local Data API stand-in (real HTTP, real report shapes, faults)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math

import pytest

from extractors.common.batch import MANIFEST, read_manifest
from extractors.common.http import AuthError, BearerTokenAuth, MalformedPageError, RetryableHTTPError, SourceError
from extractors.ga4 import Ga4Config, run_extract
from extractors.ga4.auth import ServiceAccountAuth
from extractors.ga4.client import QuotaExhaustedError
from simulators.ga4 import Ga4StandIn
from simulators.scenario.website import generate_ga4_world
from tests.helpers import FAST_RETRY, Sleeps, records, stand_in, with_sleeps

TOKEN = "ya29.test-token-5c1e"
END = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)  # the data interval end of a run on 2023-12-31


server, _clean = stand_in(lambda: Ga4StandIn(seed=2023, token=TOKEN))


def config(server, token=TOKEN, **kw) -> Ga4Config:
    kw.setdefault("retry", FAST_RETRY)
    return Ga4Config(
        property_id=kw.pop("property_id", server.property_id),
        auth=kw.pop("auth", BearerTokenAuth(token, "ga4", "access token")),
        base_url=server.base_url,
        **kw,
    )


def extract(server, landing, since=None, until=END, sleeps=None, **kw):
    return run_extract(with_sleeps(config(server, **kw), sleeps), landing, since, until, full_refresh=since is None)


def report_bodies(server, first_dimension: str | None) -> list[dict]:
    """Bodies of the successful runReport calls whose first dimension is this one (None: no dimension)."""
    out = []
    for _, _, status, body in server.request_log:
        if status == 200 and body is not None:
            dims = [d["name"] for d in body.get("dimensions", [])]
            if (dims[:1] == [first_dimension]) if first_dimension else not dims:
                out.append(body)
    return out


def test_full_refresh_reads_every_report_of_every_month(server, landing):
    batch = extract(server, landing)
    world = generate_ga4_world()
    n_days = sum(len(m.days) for m in world.months.values())
    assert batch.streams["monthly_users"].records == len(world.months) == 13
    assert batch.streams["daily_traffic"].records == n_days == 396
    assert batch.streams["top_pages"].records == 13
    assert all(r.rejected == 0 for r in batch.streams.values())
    m = read_manifest(batch.folder)
    assert m["window"]["full_refresh"] is True and m["window"]["first_day"] == "2022-12-01"
    assert m["requests"] == batch.requests == len(server.request_log)
    assert batch.streams["daily_traffic"].watermark.startswith("2023-12-31")


def test_report_pages_by_offset_until_row_count(server, landing):
    batch = extract(server, landing, page_size=25)
    daily = report_bodies(server, "date")
    assert [b["offset"] for b in daily] == list(range(0, 396, 25))  # every page, none past rowCount
    assert {b["limit"] for b in daily} == {25}
    assert batch.streams["daily_traffic"].pages == math.ceil(396 / 25)
    days = [r["date"] for r in records(batch, "daily_traffic")]
    assert len(days) == len(set(days)) == 396  # no row lost or read twice between pages
    # a month's page report (30 rows) spans two pages, and still lands as one record with every row
    dec_pages = [b for b in report_bodies(server, "pageTitle") if b["dateRanges"][0]["startDate"] == "2023-12-01"]
    assert [b["offset"] for b in dec_pages] == [0, 25]
    dec = next(r for r in records(batch, "top_pages") if r["month"] == "2023-12-01")
    assert len(dec["rows"]) == dec["row_count"] == 30
    assert len({(r["pageTitle"], r["pagePath"]) for r in dec["rows"]}) == 30


def test_values_arrive_as_strings_and_stay_strings_in_raw(server, landing):
    batch = extract(server, landing)
    dec = next(r for r in records(batch, "monthly_users") if r["month"] == "2023-12-01")
    assert dec["metrics"] == {"activeUsers": "84217", "totalUsers": dec["metrics"]["totalUsers"]}
    assert isinstance(dec["metrics"]["totalUsers"], str) and int(dec["metrics"]["totalUsers"]) >= 84217
    day = records(batch, "daily_traffic")[0]
    assert day["dimensions"] == {"date": "20221201"} and day["date"] == "2022-12-01"
    assert all(isinstance(v, str) for v in day["metrics"].values())


def test_monthly_users_are_asked_per_month_and_are_not_the_sum_of_days(server, landing):
    batch = extract(server, landing)
    # every monthly-users report covers exactly one calendar month
    for body in report_bodies(server, None):
        (rng,) = body["dateRanges"]
        start, end = dt.date.fromisoformat(rng["startDate"]), dt.date.fromisoformat(rng["endDate"])
        assert start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and start.month == end.month
    monthly = {r["month"][:7]: int(r["metrics"]["activeUsers"]) for r in records(batch, "monthly_users")}
    assert (monthly["2023-12"], monthly["2023-11"], monthly["2022-12"]) == (84217, 107164, 93598)
    summed: dict[str, int] = {}
    for r in records(batch, "daily_traffic"):
        summed[r["date"][:7]] = summed.get(r["date"][:7], 0) + int(r["metrics"]["activeUsers"])
    for month, users in monthly.items():
        assert summed[month] > users, month  # returning visitors: the days over-count the month
    assert summed["2023-12"] != 84217


def test_page_report_keeps_gas_other_row_in_the_apis_order(server, landing):
    batch = extract(server, landing)
    dec = next(r for r in records(batch, "top_pages") if r["month"] == "2023-12-01")
    views = [int(row["screenPageViews"]) for row in dec["rows"]]
    assert views == sorted(views, reverse=True)
    titles = [row["pageTitle"] for row in dec["rows"]]
    assert "(other)" in titles and dec["data_loss_from_other_row"] is True
    # "(other)" outweighs a real top-3 page here: only the marts' ranking keeps it out
    assert titles.index("(other)") < titles.index("Halaman Utama")


def test_429_resource_exhausted_is_retried_with_backoff(server, landing):
    server.faults.rate_limit(n=2)  # Google usually sends no Retry-After: back off exponentially
    sleeps = Sleeps()
    batch = extract(server, landing, sleeps=sleeps)
    assert len(sleeps) == 2 and all(0 < s <= 0.06 for s in sleeps)
    assert [s for (_, _, s, _) in server.request_log[:3]] == [429, 429, 200]
    assert batch.streams["monthly_users"].records == 13


def test_429_with_retry_after_waits_what_the_server_asks(server, landing):
    server.faults.rate_limit(n=1, retry_after=7)
    sleeps = Sleeps()
    extract(server, landing, sleeps=sleeps)
    assert sleeps == [7.0]


def test_quota_still_exhausted_after_the_retries_fails_with_googles_status(server, landing):
    server.faults.rate_limit(n=100)
    with pytest.raises(RetryableHTTPError, match="429 RESOURCE_EXHAUSTED"):
        extract(server, landing, sleeps=Sleeps())
    assert len(server.request_log) == 4  # RetryPolicy(attempts=4)
    assert not list(landing.rglob(MANIFEST))


def test_server_errors_are_retried(server, landing):
    server.faults.server_error(n=2)
    batch = extract(server, landing, sleeps=Sleeps())
    assert batch.streams["top_pages"].records == 13


def test_bad_token_fails_at_once_unauthenticated(server, landing):
    with pytest.raises(AuthError, match="401 UNAUTHENTICATED") as info:
        extract(server, landing, token="ya29.wrong-token", sleeps=Sleeps())
    assert "ya29.wrong-token" not in str(info.value)
    assert len(server.request_log) == 1  # not retried
    assert not list(landing.rglob(MANIFEST))


def test_another_property_is_permission_denied(server, landing):
    with pytest.raises(AuthError, match="403 PERMISSION_DENIED"):
        extract(server, landing, property_id="999", sleeps=Sleeps())


@pytest.mark.parametrize("kind", ["invalid_json", "short_row", "no_row_count", "html"])
def test_a_malformed_page_fails_the_extract_and_commits_no_batch(server, landing, kind):
    server.faults.malformed_page(offset=100, kind=kind, dimension="date")
    with pytest.raises(MalformedPageError, match=r"page 2"):
        extract(server, landing, page_size=100)
    assert not list(landing.rglob(MANIFEST))


def test_a_bad_value_quarantines_its_record_and_the_rest_loads(server, landing):
    server.faults.malformed_page(offset=0, kind="bad_value", dimension="date")
    batch = extract(server, landing)
    daily = batch.streams["daily_traffic"]
    assert (daily.records, daily.rejected) == (395, 1)
    (reject,) = [json.loads(line) for line in (batch.folder / daily.rejects_file).read_text().splitlines()]
    assert "metrics.activeUsers" in reject["reason"] and reject["record"]["date"] == "2022-12-01"


def test_a_property_in_another_time_zone_is_refused(server, landing):
    with pytest.raises(SourceError, match="reports in Asia/Jakarta, not UTC"):
        extract(server, landing, time_zone="UTC")


def test_an_incremental_run_rereads_the_lookback_and_the_whole_months_it_touches(server, landing):
    since = dt.datetime(2023, 12, 2, tzinfo=dt.UTC)
    batch = extract(server, landing, since=since, until=since + dt.timedelta(days=1))
    window = read_manifest(batch.folder)["window"]
    assert (window["first_day"], window["last_day"], window["months"]) == (
        "2023-11-29",
        "2023-12-03",
        ["2023-11", "2023-12"],
    )
    assert sorted(r["date"] for r in records(batch, "daily_traffic")) == [
        f"2023-{d}" for d in ("11-29", "11-30", "12-01", "12-02", "12-03")
    ]
    assert {r["month"] for r in records(batch, "monthly_users")} == {"2023-11-01", "2023-12-01"}


def test_service_account_jwt_is_exchanged_for_a_token_once(landing):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    email = "djpk-reporting@djpk-analytics.iam.gserviceaccount.com"
    with Ga4StandIn(service_account={"client_email": email, "public_key_pem": public_pem}) as srv:
        auth = ServiceAccountAuth(
            {
                "type": "service_account",
                "client_email": email,
                "private_key": private_pem,
                "private_key_id": "k1",
                "token_uri": srv.token_uri,
            }
        )
        batch = run_extract(
            Ga4Config(property_id=srv.property_id, auth=auth, base_url=srv.base_url),
            landing,
            None,
            END,
            full_refresh=True,
        )
        assert batch.streams["monthly_users"].records == 13
        assert auth.tokens_fetched == 1  # cached across every request of the run
        assert "PRIVATE KEY" not in repr(auth)

        other = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            .decode()
        )
        wrong = ServiceAccountAuth({"client_email": email, "private_key": other, "token_uri": srv.token_uri})
        with pytest.raises(AuthError, match="invalid_grant"):
            run_extract(
                Ga4Config(property_id=srv.property_id, auth=wrong, base_url=srv.base_url),
                landing,
                None,
                END,
                full_refresh=True,
            )


def test_the_connection_configures_property_token_and_window():
    class Conn:
        password = "ya29.from-connection"
        extra_dejson = {
            "property_id": 312345678,
            "base_url": "http://127.0.0.1:1/v1beta",
            "lookback_days": 5,
            "start_date": "2023-01-01",
        }

    cfg = Ga4Config.from_connection(Conn())
    assert cfg.property_id == "312345678" and cfg.lookback == dt.timedelta(days=5)
    assert "ya29.from-connection" not in repr(cfg)
    plan = cfg.plan(None, END, full_refresh=True)
    assert plan.first_day == dt.date(2023, 1, 1) and len(plan.months) == 13
    with pytest.raises(ValueError, match="property_id"):
        Conn.extra_dejson = {}
        Ga4Config.from_connection(Conn())


def rejects(batch, stream: str) -> list[dict]:
    path = batch.folder / f"{stream}.rejects.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_a_report_refused_for_one_month_is_skipped_and_every_other_report_loads(server, landing, caplog):
    server.faults.report_error("2023-11-01", dimension="pageTitle")  # November's page report only
    with caplog.at_level(logging.DEBUG):
        batch = extract(server, landing)
    assert (batch.folder / MANIFEST).exists()  # the run completed
    top = batch.streams["top_pages"]
    assert (top.records, top.rejected) == (12, 1)
    assert "2023-11-01" not in {r["month"] for r in records(batch, "top_pages")}
    assert batch.streams["monthly_users"].records == 13 and batch.streams["daily_traffic"].records == 396
    (rej,) = rejects(batch, "top_pages")
    assert rej["key"] == f"property_id={server.property_id},month=2023-11-01"
    assert rej["reason"].startswith("the report was refused: 400 INVALID_ARGUMENT")
    assert "the month 2023-11 is skipped for this run, the other reports loaded" in rej["reason"]
    assert rej["request"].startswith(f"POST properties/{server.property_id}:runReport ")
    m = read_manifest(batch.folder)
    assert not m["streams"]["top_pages"]["full_refresh"]  # a skipped month must not be deleted
    assert m["streams"]["monthly_users"]["full_refresh"]
    assert m["window"]["skipped_reports"] == [{"stream": "top_pages", "key": rej["key"], "status": "INVALID_ARGUMENT"}]
    assert f"{rej['key']} skipped" in caplog.text and TOKEN not in caplog.text


def test_a_skipped_month_keeps_its_loaded_row_and_lands_in_the_quarantine(landing, conn):
    from loaders import load_batch

    with Ga4StandIn(seed=2023, token=TOKEN) as srv:
        load_batch(conn, extract(srv, landing / "first").folder)
    with Ga4StandIn(seed=2023, token=TOKEN, report_errors={"2023-11-01": "FAILED_PRECONDITION"}) as srv:
        batch = extract(srv, landing / "second")  # November's monthly and page reports are refused
        assert (batch.streams["monthly_users"].rejected, batch.streams["top_pages"].rejected) == (1, 1)
        load_batch(conn, batch.folder)
    assert conn.execute("select count(*) from raw.ga4__monthly_users").fetchone()[0] == 13
    assert conn.execute("select count(*) from raw.ga4__top_pages").fetchone()[0] == 13
    q = conn.execute("select stream, record_key from raw._quarantine where source = 'ga4' order by 1").fetchall()
    key = f"property_id={srv.property_id},month=2023-11-01"
    assert q == [("monthly_users", key), ("top_pages", key)]


def test_when_every_report_is_refused_the_run_fails(landing):
    since = dt.datetime(2023, 12, 2, tzinfo=dt.UTC)  # months Nov and Dec, days from 29 Nov
    errors = {"2023-11-01": "INVALID_ARGUMENT", "2023-12-01": "INVALID_ARGUMENT", "2023-11-29": "INVALID_ARGUMENT"}
    with Ga4StandIn(seed=2023, token=TOKEN, report_errors=errors) as srv:
        with pytest.raises(SourceError, match=r"all 5 reports of the run were refused"):
            extract(srv, landing, since=since, until=since + dt.timedelta(days=1))
    assert not list(landing.rglob(MANIFEST))


def test_the_daily_quota_fails_at_once_with_a_clear_message(server, landing, caplog):
    server.faults.quota_exhausted(n=10)
    sleeps = Sleeps()
    with caplog.at_level(logging.DEBUG), pytest.raises(QuotaExhaustedError) as info:
        extract(server, landing, sleeps=sleeps)
    msg = str(info.value)
    assert msg.startswith("ga4: 429 RESOURCE_EXHAUSTED: Exhausted property tokens per day") and "not retried" in msg
    assert len(server.request_log) == 1 and sleeps == []
    assert TOKEN not in msg and TOKEN not in caplog.text
    assert not list(landing.rglob(MANIFEST))
