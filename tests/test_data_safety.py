"""Data safety, made once in the shared path (batch writer + loader) and proved by injecting faults.

- A full refresh deletes only when its listing is proved complete and the shrink is bounded.
- One bad character or record never blocks a batch; a bad field is nulled with its reason.
- Quarantine entries resolve when their key loads valid.
- Landing files are private and expire after a successful load.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

import pytest

from extractors.common.batch import Batch, clean_text, prune
from extractors.common.http import RetryPolicy
from extractors.common.streams import write_record
from extractors.deskpro import DeskproConfig, run_extract
from extractors.deskpro.streams import TicketsStream
from loaders import CompletenessError, LoadOptions, load_batch
from simulators.deskpro import DeskproStandIn
from tests.helpers import ticket

KEY = "safety-key-71c2"


def batch_of(landing, tickets, full_refresh=False, attest: dict | None = None) -> Batch:
    b = Batch(landing, "deskpro")
    out = b.stream(TicketsStream.name, TicketsStream.spec(), full_refresh)
    for t in tickets:
        write_record(b, TicketsStream, t, "GET /tickets?page=1", full_refresh)
    if attest is not None:
        out.attest(**attest)
    b.commit()
    return b


def ids(conn) -> list[int]:
    out = [r[0] for r in conn.execute("select id from raw.deskpro__tickets order by id")]
    conn.commit()  # each load below then runs in a transaction of its own, as in a task
    return out


def seed(conn, landing, n=40):
    load_batch(conn, batch_of(landing, [ticket(i) for i in range(1, n + 1)]).folder)
    return ids(conn)


# ---------------------------------------------------------------- completeness before deletion


def test_a_full_refresh_without_evidence_deletes_nothing_and_says_why(conn, landing):
    before = seed(conn, landing)
    b = batch_of(landing, [ticket(i) for i in range(1, 11)], full_refresh=True)  # nobody attested
    with pytest.raises(CompletenessError) as err:
        load_batch(conn, b.folder)
    conn.rollback()
    msg = str(err.value)
    assert "deskpro.tickets" in msg and "30 of the 40 rows" in msg and "--force-deletions" in msg
    assert "an unknown number of records" in msg
    assert ids(conn) == before


def test_a_short_listing_is_refused_with_the_expected_and_received_counts(conn, landing):
    before = seed(conn, landing)
    b = batch_of(
        landing,
        [ticket(i) for i in range(1, 31)],
        full_refresh=True,
        attest={"complete": True, "expected": 40, "received": 30},
    )
    with pytest.raises(CompletenessError, match="the source lists 40 records, 30 arrived"):
        load_batch(conn, b.folder)
    conn.rollback()
    assert ids(conn) == before


def test_a_complete_listing_may_shrink_within_the_bound_not_beyond(conn, landing):
    seed(conn, landing, n=400)

    def refresh(n):
        return batch_of(
            landing,
            [ticket(i) for i in range(1, n + 1)],
            full_refresh=True,
            attest={"complete": True, "expected": n, "received": n},
        ).folder

    # 30 of 400 gone (7.5 %) with a complete listing: beyond the 5 % default
    with pytest.raises(CompletenessError, match=r"7.5% of the rows, more than the bound of 5%"):
        load_batch(conn, refresh(370))
    conn.rollback()
    assert len(ids(conn)) == 400
    # 20 of 400 (5 %) is within it
    assert load_batch(conn, refresh(380)).streams["tickets"].deleted == 20
    # a few rows may always go (a corrected workbook), whatever the share: 10 of 380 here...
    assert load_batch(conn, refresh(370), LoadOptions(max_shrink=0.0)).streams["tickets"].deleted == 10
    # ... but not 11
    with pytest.raises(CompletenessError):
        load_batch(conn, refresh(359), LoadOptions(max_shrink=0.0))
    conn.rollback()
    # an engineer's explicit decision overrides the bound
    assert load_batch(conn, refresh(10), LoadOptions(force_deletions=True)).streams["tickets"].deleted == 360


def test_an_incomplete_stream_refuses_the_whole_batch_even_without_deletions(conn, landing):
    before = seed(conn, landing, n=5)
    b = batch_of(
        landing,
        [ticket(i, status="awaiting_user") for i in range(1, 4)],
        attest={"complete": False, "problems": ["/tickets: page 2 of 3 has 0 records, not 200"]},
    )
    with pytest.raises(CompletenessError, match="page 2 of 3 has 0 records"):
        load_batch(conn, b.folder)
    conn.rollback()
    assert ids(conn) == before
    assert (
        conn.execute("select count(*) from raw.deskpro__tickets where record->>'status' = 'awaiting_user'").fetchone()[
            0
        ]
        == 0
    )


def test_a_record_whose_new_version_is_rejected_keeps_its_raw_row(conn, landing):
    seed(conn, landing, n=3)
    b = batch_of(
        landing,
        [ticket(1), ticket(2, date_created="garbage"), ticket(3)],
        full_refresh=True,
        attest={"complete": True, "expected": 3, "received": 3},
    )
    res = load_batch(conn, b.folder)
    assert ids(conn) == [1, 2, 3] and res.streams["tickets"].deleted == 0


# ---------------------------------------------------------------- one bad record never blocks a batch


@pytest.mark.parametrize("dirty", ["Dana\x00 Desa", "Dana\ud800 Desa", "Dana\x1b[31m Desa", "Dana\x7f\x85 Desa"])
def test_nul_surrogates_and_control_characters_are_cleaned_and_counted(conn, landing, dirty):
    b = batch_of(landing, [ticket(1, subject=dirty), ticket(2, subject="Dana Desa")])
    assert b.streams["tickets"].cleaned == 1
    res = load_batch(conn, b.folder)
    assert res.streams["tickets"].inserted == 2 and res.streams["tickets"].cleaned == 1
    subject = conn.execute("select record->>'subject' from raw.deskpro__tickets where id = 1").fetchone()[0]
    assert subject == clean_text(dirty) and "\x00" not in subject
    assert subject.replace("\ufffd", "").replace("[31m", "") == "Dana Desa"


def test_clean_text_keeps_tabs_newlines_and_every_printable_letter():
    assert clean_text("Yth.\tBapak\r\nDJPK — Rp 1.000 ✓") == "Yth.\tBapak\r\nDJPK — Rp 1.000 ✓"


# ---------------------------------------------------------------- quarantine lifecycle


def open_entries(conn) -> list[tuple]:
    return conn.execute(
        "select record_key, action from raw._quarantine where resolved_at is null order by record_key"
    ).fetchall()


def test_a_quarantined_key_resolves_when_it_later_loads_valid_and_reopens_if_it_breaks_again(conn, landing):
    load_batch(conn, batch_of(landing, [ticket(1), ticket(2, date_created="garbage")]).folder)
    assert open_entries(conn) == [("id=2", "rejected")]
    res = load_batch(conn, batch_of(landing, [ticket(2, "2023-12-05T00:00:00+0000")]).folder)
    assert res.streams["tickets"].resolved == 1 and open_entries(conn) == []
    first, last, resolved = conn.execute(
        "select first_seen_at, last_seen_at, resolved_at from raw._quarantine"
    ).fetchone()
    assert first <= last < resolved
    load_batch(conn, batch_of(landing, [ticket(2, date_created="garbage")]).folder)
    assert open_entries(conn) == [("id=2", "rejected")]


def test_a_nulled_field_stays_open_while_the_source_keeps_sending_it(conn, landing):
    load_batch(conn, batch_of(landing, [ticket(1, feedback_rating=7)]).folder)
    load_batch(conn, batch_of(landing, [ticket(1, "2023-12-06T00:00:00+0000", feedback_rating=7)]).folder)
    assert open_entries(conn) == [("id=1", "nulled")]
    load_batch(conn, batch_of(landing, [ticket(1, "2023-12-07T00:00:00+0000", feedback_rating=4)]).folder)
    assert open_entries(conn) == []


def test_quarantine_and_logs_name_the_key_and_rule_never_the_text(conn, landing, caplog):
    secret = "Budi Santoso 081234567890"
    load_batch(conn, batch_of(landing, [ticket(5, date_created=secret)]).folder)
    assert secret not in caplog.text
    reason = conn.execute("select reason from raw._quarantine").fetchone()[0]
    assert secret not in reason and "date_created" in reason


# ---------------------------------------------------------------- landing files: private, expiring


def test_landing_files_are_0600_in_0700_folders(landing):
    b = batch_of(landing, [ticket(1)])
    for path in [b.folder.parent, b.folder]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in b.folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_prune_deletes_loaded_batches_after_the_retention_and_keeps_unloaded_ones(landing):
    old_loaded, old_unloaded, new_loaded = (batch_of(landing, [ticket(i)]) for i in (1, 2, 3))
    ten_days_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=10)).timestamp()
    for b in (old_loaded, old_unloaded):
        os.utime(b.folder, (ten_days_ago, ten_days_ago))
    loaded = {old_loaded.batch_id, new_loaded.batch_id}
    assert prune(landing, "deskpro", 7, loaded.__contains__) == [old_loaded.batch_id]
    assert not old_loaded.folder.exists() and old_unloaded.folder.exists() and new_loaded.folder.exists()


# ---------------------------------------------------------------- against the Deskpro stand-in (HTTP JSON)


@pytest.fixture(scope="module")
def server():
    with DeskproStandIn(seed=2023, api_key=KEY) as srv:
        yield srv


@pytest.fixture()
def deskpro(server):
    server.faults.clear()
    yield server
    server.faults.clear()


def extract(server, landing, since=None, full_refresh=None):
    cfg = DeskproConfig(
        base_url=server.base_url,
        api_key=KEY,
        page_size=200,
        retry=RetryPolicy(attempts=2, initial=0.01, max_backoff=0.02),
    )
    return run_extract(cfg, landing, since, full_refresh=since is None if full_refresh is None else full_refresh)


def full_load(conn, server, landing):
    load_batch(conn, extract(server, landing).folder)
    return conn.execute("select count(*) from raw.deskpro__tickets").fetchone()[0]


@pytest.mark.parametrize(
    ("fault", "page", "expect"),
    [
        ("empty", 2, "page 2 of 13 has 0 records"),
        ("short", 5, "page 5 of 13 has 199 records"),
        ("short", 13, "records, 2482 arrived"),  # the last page truncated: only the total tells
        ("drift", 4, "the listing changed while paging"),
    ],
)
def test_a_full_refresh_that_misses_records_deletes_nothing(conn, deskpro, landing, fault, page, expect):
    n = full_load(conn, deskpro, landing)
    assert n > 2400
    deskpro.faults.page(fault, page=page)
    b = extract(deskpro, landing)
    assert b.streams["tickets"].complete is False
    with pytest.raises(CompletenessError, match=expect) as err:
        load_batch(conn, b.folder)
    conn.rollback()
    assert "deskpro.tickets" in str(err.value)
    assert conn.execute("select count(*) from raw.deskpro__tickets").fetchone()[0] == n


def test_a_complete_full_refresh_attests_the_sources_total(conn, deskpro, landing):
    b = extract(deskpro, landing)
    t = b.streams["tickets"]
    assert t.complete is True and t.expected == t.received == t.records + t.rejected
    assert all(b.streams[s].complete for s in ("ticket_departments", "agents", "people", "organizations"))


def test_a_nul_in_one_ticket_subject_loads_every_ticket_that_one_cleaned(conn, deskpro, landing):
    first = deskpro.snapshot().tickets_by("id")[0]["id"]
    deskpro.faults.override_ticket(first, subject="Penyaluran\x00 DAU")
    b = extract(deskpro, landing)
    res = load_batch(conn, b.folder)
    assert res.streams["tickets"].cleaned == 1
    assert res.streams["tickets"].inserted == b.streams["tickets"].records
    subject = conn.execute("select record->>'subject' from raw.deskpro__tickets where id = %s", (first,)).fetchone()[0]
    assert subject == "Penyaluran DAU"


def test_an_out_of_range_rating_keeps_the_ticket(conn, deskpro, landing):
    second = deskpro.snapshot().tickets_by("id")[1]["id"]
    deskpro.faults.override_ticket(second, feedback_rating=11)
    load_batch(conn, extract(deskpro, landing).folder)
    (rating,) = conn.execute(
        "select record->'feedback_rating' from raw.deskpro__tickets where id = %s", (second,)
    ).fetchone()
    assert rating is None
    reason, action = conn.execute(
        "select reason, action from raw._quarantine where record_key = %s", (f"id={second}",)
    ).fetchone()
    assert "feedback_rating" in reason and action == "nulled"


def test_a_server_that_ignores_order_by_is_paged_whole_not_loaded_empty(deskpro, landing, caplog):
    since = dt.datetime(2023, 12, 1, tzinfo=dt.UTC)
    ordered = extract(deskpro, landing, since=since)
    deskpro.faults.ignore_order_by = True
    unordered = extract(deskpro, landing, since=since)
    assert "ignores order_by" in caplog.text
    assert ordered.streams["tickets"].records > 100
    assert unordered.streams["tickets"].records == ordered.streams["tickets"].records
    assert unordered.streams["tickets"].complete is True


def test_a_run_without_a_data_interval_reads_everything_and_deletes_nothing(conn, deskpro, landing):
    n = full_load(conn, deskpro, landing)
    conn.execute(
        "insert into raw.deskpro__tickets (id, date_status, record, _batch_id, _loaded_at) "
        "values (999999, now(), '{}', 'x', now())"
    )
    conn.commit()
    b = extract(deskpro, landing, since=None, full_refresh=False)  # an Airflow 3 manual run: no interval
    assert json.loads((b.folder / "manifest.json").read_text())["window"]["full_refresh"] is False
    load_batch(conn, b.folder)
    assert conn.execute("select count(*) from raw.deskpro__tickets").fetchone()[0] == n + 1


def test_a_ticket_marked_spam_after_loading_stops_counting_on_the_next_incremental_run(conn, deskpro, landing):
    full_load(conn, deskpro, landing)
    victim = deskpro.snapshot().tickets_by("id")[5]["id"]
    now = dt.datetime(2024, 1, 20, 3, 0, tzinfo=dt.UTC)
    deskpro.faults.override_ticket(
        victim, status="hidden", hidden_status="spam", date_status=now.strftime("%Y-%m-%dT%H:%M:%S+0000")
    )
    load_batch(conn, extract(deskpro, landing, since=now - dt.timedelta(days=1)).folder)
    status, hidden = conn.execute(
        "select record->>'status', record->>'hidden_status' from raw.deskpro__tickets where id = %s", (victim,)
    ).fetchone()
    assert (status, hidden) == ("hidden", "spam")  # staging keeps hidden tickets out of every count


def test_the_weekly_reconciliation_is_a_full_refresh_on_its_weekday_only():
    from extractors.registry import get

    deskpro = get("deskpro")
    sunday, monday = dt.datetime(2023, 12, 31, tzinfo=dt.UTC), dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert deskpro.reconciles(sunday) and not deskpro.reconciles(monday) and not deskpro.reconciles(None)
    assert not get("cms").reconciles(sunday)


def test_a_refused_copy_leaves_no_record_text_in_the_error_or_the_server_log(conn, landing, pg_server):
    secret = "SitiRahayu081234567890"  # one JSON token: the server's DETAIL and CONTEXT would quote it
    load_batch(conn, batch_of(landing, [ticket(1)]).folder)
    b = batch_of(landing, [ticket(1, "2023-12-05T00:00:00+0000", subject=secret)])
    csv_path = b.folder / "tickets.csv"
    # the record column no longer parses as JSON: the server's CONTEXT would quote the column's value
    csv_path.write_text(csv_path.read_text().replace(f'""subject"":""{secret}""', f'""subject"":{secret}'))
    from loaders import LoadError

    with pytest.raises(LoadError) as err:
        load_batch(conn, b.folder)
    conn.rollback()
    assert secret not in str(err.value) and "tickets.csv: COPY refused line 2, column record" in str(err.value)
    logs = list(pg_server.data_dir.parent.glob("*.log"))
    assert logs, "the test server's log file"
    text = "".join(p.read_text(errors="replace") for p in logs)
    assert "invalid input syntax for type json" in text  # the error is logged...
    assert secret not in text  # ...without the row
