"""The Deskpro extractor against the local stand-in (real HTTP, real API shapes)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from extractors.common.batch import MANIFEST, read_manifest
from extractors.common.http import AuthError, MalformedPageError
from extractors.deskpro import DeskproConfig, run_extract
from simulators.deskpro import DeskproStandIn, expected_counts
from tests.helpers import FAST_RETRY, Sleeps, stand_in, with_sleeps

KEY = "test-key-3f9a"


server, _clean = stand_in(lambda: DeskproStandIn(seed=2023, api_key=KEY))


def config(server, **kw) -> DeskproConfig:
    return DeskproConfig(
        base_url=server.base_url,
        api_key=kw.pop("api_key", KEY),
        retry=FAST_RETRY,
        **kw,
    )


def extract(server, landing, since=None, sleeps=None, **kw):
    return run_extract(with_sleeps(config(server, **kw), sleeps), landing, since, full_refresh=since is None)


def csv_ids(batch, stream="tickets") -> list[int]:
    lines = (batch.folder / f"{stream}.csv").read_text().splitlines()[1:]
    return [int(line.split(",", 1)[0]) for line in lines]


def test_full_refresh_reads_every_page_and_every_ticket(server, landing):
    batch = extract(server, landing, page_size=50)
    tickets = batch.streams["tickets"]
    n = len(server.snapshot().tickets_by("id"))
    assert tickets.records == n and len(set(csv_ids(batch))) == n
    assert tickets.pages == -(-n // 50)  # ceil: every page, no more
    assert tickets.rejected == 0
    assert batch.streams["ticket_departments"].records == 3
    m = read_manifest(batch.folder)
    assert m["window"]["full_refresh"] is True and m["requests"] == batch.requests


def test_linked_people_are_exactly_those_the_tickets_reference(server, landing):
    batch = extract(server, landing)
    tickets = [json.loads(r) for r in _records(batch, "tickets")]
    people = {json.loads(r)["id"] for r in _records(batch, "people")}
    assert people == {t["person"] for t in tickets if t.get("person")}


def _records(batch, stream):
    import csv

    with open(batch.folder / f"{stream}.csv", newline="") as fh:
        return [row["record"] for row in csv.DictReader(fh)]


def test_incremental_window_stops_paging_once_below_the_lookback(server, landing):
    since = dt.datetime(2023, 12, 20, tzinfo=dt.UTC)
    batch = extract(server, landing, since=since, page_size=50)
    tickets = batch.streams["tickets"]
    read_from = since - dt.timedelta(days=7)
    all_recent = [
        t for t in server.snapshot().tickets_by("id") if dt.datetime.fromisoformat(t["date_status"]) >= read_from
    ]
    assert tickets.records == len(all_recent)
    full_pages = -(-len(server.snapshot().tickets_by("id")) // 50)
    assert tickets.pages < full_pages
    assert read_manifest(batch.folder)["window"]["read_from"] == read_from.isoformat()


def test_documented_meta_envelope_is_read_too(landing):
    with DeskproStandIn(seed=7, api_key=KEY, meta_style="documented") as srv:
        batch = extract(srv, landing, page_size=100)
        assert batch.streams["tickets"].records == len(srv.snapshot().tickets_by("id"))


def test_429_waits_what_retry_after_says_then_succeeds(server, landing, caplog):
    server.faults.rate_limit(n=2, retry_after=7)
    sleeps = Sleeps()
    with caplog.at_level(logging.WARNING):
        batch = extract(server, landing, sleeps=sleeps)
    assert sleeps[:2] == [7.0, 7.0]
    assert [s for _, _, s in server.request_log[:3]] == [429, 429, 200]
    assert batch.streams["tickets"].records > 0
    assert KEY not in caplog.text


def test_500_is_retried_with_backoff_then_succeeds(server, landing):
    server.faults.server_error(n=2)
    sleeps = Sleeps()
    batch = extract(server, landing, sleeps=sleeps)
    assert [s for _, _, s in server.request_log[:3]] == [500, 500, 200]
    assert len(sleeps) >= 2 and all(0 < s <= 0.05 + 0.5 for s in sleeps[:2])
    assert batch.streams["tickets"].records > 0


def test_a_timeout_is_retried(server, landing):
    server.faults.timeout(n=1, seconds=2)
    cfg = config(server)
    cfg.timeout = 0.5
    batch = run_extract(cfg, landing, None, full_refresh=True)
    assert batch.streams["tickets"].records > 0


def test_persistent_5xx_fails_after_the_retry_budget(server, landing):
    server.faults.server_error(n=50)
    with pytest.raises(Exception, match="500"):
        extract(server, landing, sleeps=Sleeps())
    assert len(server.request_log) == 4  # RetryPolicy(attempts=4)


def test_401_fails_at_once_with_a_clear_message_and_no_key(server, landing):
    with pytest.raises(AuthError, match="401.*API key") as exc:
        extract(server, landing, api_key="wrong-key")
    assert len(server.request_log) == 1
    assert "wrong-key" not in str(exc.value)
    assert not list(landing.rglob(MANIFEST))


def test_malformed_page_fails_naming_url_and_page_and_nothing_is_committed(server, landing):
    server.faults.malformed_page(path="/tickets", page=2)
    with pytest.raises(MalformedPageError, match=r"/tickets\?.*page=2.*\(page 2\)"):
        extract(server, landing, page_size=100)
    assert not list(landing.rglob(MANIFEST))


def test_page_without_data_is_malformed(server, landing):
    server.faults.malformed_page(path="/tickets", page=1, kind="no_data")
    with pytest.raises(MalformedPageError, match="no 'data' list"):
        extract(server, landing)


def test_stand_in_counts_match_the_calibration_targets():
    counts = expected_counts(2023)
    assert counts[("email_call_center", "2023-12")] == 126
    assert counts[("hai_kemenkeu", "2023-11")] == 14
    assert counts[("live_chat", "2022-12")] == 4


def test_auth_repr_hides_the_key(server):
    cfg = config(server)
    assert KEY not in repr(cfg) and KEY not in repr(cfg.client().auth)
