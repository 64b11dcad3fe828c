"""The loader: COPY + merge by key, idempotent reruns, crash safety, quarantine."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from extractors.common.batch import Batch
from extractors.common.streams import write_record
from extractors.deskpro.streams import AgentsStream, TicketsStream
from loaders import LoadError, LoadOptions, get_watermark, load_batch
from tests.helpers import ticket


def make_batch(landing, tickets, agents=(), full_refresh=False, batch_id=None, complete=True) -> Batch:
    b = Batch(landing, "deskpro", batch_id or "")
    out = b.stream(TicketsStream.name, TicketsStream.spec(), full_refresh)
    for t in tickets:
        write_record(b, TicketsStream, t, "GET /tickets?page=1", full_refresh)
    for a in agents:
        write_record(b, AgentsStream, a, "GET /agents?page=1", True)
    watermark = max((t["date_status"] for t in tickets if isinstance(t.get("id"), int)), default=None)
    b.streams["tickets"].watermark = dt.datetime.fromisoformat(watermark).isoformat() if watermark else None
    if full_refresh and complete:  # the listing's evidence, as an extractor attests it
        out.attest(complete=True, expected=len(tickets), received=len(tickets))
    b.commit()
    return b


def rows(conn, table="raw.deskpro__tickets"):
    return conn.execute(f"select id, record, _batch_id, _loaded_at from {table} order by id").fetchall()


def test_load_merges_by_key_and_keeps_the_last_copy_in_a_batch(conn, landing):
    b = make_batch(landing, [ticket(1), ticket(2), ticket(1, status="awaiting_user")])
    res = load_batch(conn, b.folder)
    got = rows(conn)
    assert [r[0] for r in got] == [1, 2]
    assert got[0][1]["status"] == "awaiting_user"
    assert res.streams["tickets"].inserted == 2


def test_rerun_of_the_same_batch_leaves_identical_rows(conn, landing):
    b = make_batch(landing, [ticket(i) for i in range(1, 51)])
    load_batch(conn, b.folder)
    before = rows(conn)
    res = load_batch(conn, b.folder)
    assert rows(conn) == before
    assert (res.streams["tickets"].inserted, res.streams["tickets"].updated) == (0, 0)
    assert res.streams["tickets"].unchanged == 50


def test_changed_record_updates_in_place_without_duplicates(conn, landing):
    load_batch(conn, make_batch(landing, [ticket(1), ticket(2)]).folder)
    b2 = make_batch(landing, [ticket(2, "2023-12-20T00:00:00+0000", status="awaiting_agent")])
    res = load_batch(conn, b2.folder)
    got = rows(conn)
    assert len(got) == 2
    assert got[1][1]["status"] == "awaiting_agent" and got[1][2] == b2.batch_id
    assert res.streams["tickets"].updated == 1
    assert get_watermark(conn, "deskpro", "tickets") == dt.datetime(2023, 12, 20, tzinfo=dt.UTC)


def test_a_crash_in_the_middle_leaves_the_previous_state_intact(conn, landing):
    load_batch(conn, make_batch(landing, [ticket(1)], agents=[{"id": 1, "name": "Nuryani"}]).folder)
    before = rows(conn), rows(conn, "raw.deskpro__agents")
    wm_before = get_watermark(conn, "deskpro", "tickets")
    b = make_batch(
        landing,
        [ticket(1, status="awaiting_user"), ticket(2, "2024-01-05T00:00:00+0000")],
        agents=[{"id": 2, "name": "Anas"}],
    )
    # the tickets stream loads first; the agents file is then cut short mid-row
    agents_csv = b.folder / "agents.csv"
    agents_csv.write_text(agents_csv.read_text()[:-15])
    with pytest.raises(LoadError, match=r"agents.csv: COPY refused line 2: unterminated CSV") as err:
        load_batch(conn, b.folder)
    assert "Anas" not in str(err.value)  # the line number and the rule, never the record's text
    conn.rollback()
    assert (rows(conn), rows(conn, "raw.deskpro__agents")) == before
    assert get_watermark(conn, "deskpro", "tickets") == wm_before
    assert conn.execute("select count(*) from raw._batches where batch_id = %s", (b.batch_id,)).fetchone()[0] == 0


def test_bad_records_are_quarantined_with_reason_and_the_rest_load(conn, landing, caplog):
    bad = [ticket(3, date_created="not a date"), {"status": "resolved"}, ticket(4, feedback_rating=9)]
    b = make_batch(landing, [ticket(1), *bad, ticket(2)])
    assert "record id=3 quarantined: date_created" in caplog.text
    load_batch(conn, b.folder)
    # a rating outside 1-5 keeps the ticket, with the rating nulled and the reason recorded
    assert [r[0] for r in rows(conn)] == [1, 2, 4]
    assert rows(conn)[2][1]["feedback_rating"] is None
    q = conn.execute("select record_key, reason, action from raw._quarantine order by record_key").fetchall()
    assert len(q) == 3
    reasons = {k: (r, a) for k, r, a in q}
    assert "date_created" in reasons["id=3"][0] and reasons["id=3"][1] == "rejected"
    assert "feedback_rating" in reasons["id=4"][0] and reasons["id=4"][1] == "nulled"
    assert "id: Field required" in reasons["id=None"][0]
    # a rerun does not duplicate the quarantine
    load_batch(conn, b.folder)
    assert conn.execute("select count(*), max(times_seen) from raw._quarantine").fetchone() == (3, 1)


def test_full_refresh_removes_rows_the_source_no_longer_has(conn, landing):
    load_batch(conn, make_batch(landing, [ticket(1), ticket(2), ticket(3)]).folder)
    res = load_batch(
        conn, make_batch(landing, [ticket(1), ticket(3)], full_refresh=True).folder, LoadOptions(max_shrink=0.5)
    )
    assert [r[0] for r in rows(conn)] == [1, 3]
    assert res.streams["tickets"].deleted == 1


def test_an_unfinished_batch_is_refused(conn, landing):
    b = Batch(landing, "deskpro")
    write_record(b, TicketsStream, ticket(1), "GET /tickets")
    b.abort()  # no manifest: the extract never finished
    with pytest.raises(FileNotFoundError, match="did not finish"):
        load_batch(conn, b.folder)


def test_a_first_load_copies_straight_into_the_raw_table_with_batch_and_time(conn, landing):
    b = make_batch(landing, [ticket(i) for i in range(1, 4)])
    res = load_batch(conn, b.folder)
    assert (res.streams["tickets"].copied, res.streams["tickets"].inserted) == (3, 3)
    got = conn.execute("select _batch_id, _loaded_at, _seq from raw.deskpro__tickets order by id").fetchall()
    loaded_at = conn.execute("select loaded_at from raw._batches where batch_id = %s", (b.batch_id,)).fetchone()[0]
    assert got == [(b.batch_id, loaded_at, 1), (b.batch_id, loaded_at, 2), (b.batch_id, loaded_at, 3)]
    # outside a load the defaults have nothing to read: a stray insert fails, never goes unmarked
    with pytest.raises(psycopg.errors.NotNullViolation), conn.transaction():
        conn.execute("insert into raw.deskpro__tickets (id, date_status, record) values (9, now(), '{}')")


def test_a_raw_table_of_an_earlier_loader_gets_the_new_columns_and_keeps_its_rows(conn, landing):
    conn.execute("create schema if not exists raw")
    conn.execute("""create table raw.deskpro__tickets (id bigint, date_status timestamptz, record jsonb not null,
                    _request text, _batch_id text not null, _loaded_at timestamptz not null, primary key (id))""")
    conn.execute("""insert into raw.deskpro__tickets values
                    (1, '2023-12-01', '{"id": 1}', 'GET /tickets', 'old', '2023-12-02')""")
    conn.commit()
    res = load_batch(conn, make_batch(landing, [ticket(2)]).folder)
    assert res.streams["tickets"].inserted == 1
    assert [r[0] for r in rows(conn)] == [1, 2]
    assert conn.execute("select _batch_id from raw.deskpro__tickets where id = 1").fetchone() == ("old",)


def test_a_daily_merge_writes_only_new_and_changed_rows(conn, landing):
    load_batch(conn, make_batch(landing, [ticket(i) for i in range(1, 11)]).folder)
    before = dict(conn.execute("select id, (xmin::text, _batch_id) from raw.deskpro__tickets").fetchall())
    b2 = make_batch(
        landing, [ticket(i) for i in range(1, 11) if i != 3] + [ticket(3, status="awaiting_agent"), ticket(11)]
    )
    s = load_batch(conn, b2.folder).streams["tickets"]
    assert (s.copied, s.inserted, s.updated, s.unchanged) == (11, 1, 1, 9)
    after = dict(conn.execute("select id, (xmin::text, _batch_id) from raw.deskpro__tickets").fetchall())
    # an unchanged row is neither rewritten nor locked: same tuple version, same batch id
    assert {i: after[i] for i in before if i != 3} == {i: before[i] for i in before if i != 3}
    assert after[3][1] == after[11][1] == b2.batch_id


def test_in_a_merge_the_last_copy_of_a_key_wins_even_when_it_is_the_stored_one(conn, landing):
    load_batch(conn, make_batch(landing, [ticket(1), ticket(2)]).folder)
    stored = rows(conn)
    # key 1: an older, different copy first, then the stored one again -> unchanged;
    # key 3: new, twice -> the last copy is inserted
    b2 = make_batch(
        landing,
        [ticket(1, status="awaiting_user"), ticket(3, status="awaiting_user"), ticket(1), ticket(3), ticket(2)],
    )
    s = load_batch(conn, b2.folder).streams["tickets"]
    got = rows(conn)
    assert got[:2] == stored
    assert [r[0] for r in got] == [1, 2, 3] and got[2][1]["status"] == "resolved"
    assert (s.copied, s.inserted, s.updated, s.unchanged) == (5, 1, 0, 2)
