"""The loader: COPY + merge by key, idempotent reruns, crash safety, quarantine."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib

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
    # the first load's bulk COPY failed on the key and was rolled back: key and defaults are as before
    assert conn.execute(
        "select count(*) from pg_constraint where conrelid = 'raw.deskpro__tickets'::regclass and contype = 'p'"
    ).fetchone() == (1,)
    with pytest.raises(psycopg.errors.NotNullViolation), conn.transaction():
        conn.execute("insert into raw.deskpro__tickets (id, date_status, record) values (9, now(), '{}')")


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
    # the primary key, dropped for the bulk COPY, is back under its name
    assert conn.execute(
        "select conname, pg_get_constraintdef(oid) from pg_constraint "
        "where conrelid = 'raw.deskpro__tickets'::regclass and contype = 'p'"
    ).fetchall() == [("deskpro__tickets_pkey", "PRIMARY KEY (id)")]
    # so is the load-time index the incremental models' windows read raw tables by
    assert conn.execute(
        "select indexname from pg_indexes where schemaname = 'raw' and tablename = 'deskpro__tickets' order by 1"
    ).fetchall() == [("deskpro__tickets__loaded_at",), ("deskpro__tickets_pkey",)]
    with pytest.raises(psycopg.errors.UniqueViolation), conn.transaction():
        conn.execute(
            "insert into raw.deskpro__tickets (id, record, _batch_id, _loaded_at) values (1, '{}', 'x', now())"
        )


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
    assert conn.execute(
        "select count(*) from pg_indexes where schemaname = 'raw' and indexname = 'deskpro__tickets__loaded_at'"
    ).fetchone() == (1,)


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


def _xmin_batch(conn):
    return dict(conn.execute("select id, (xmin::text, _batch_id, _loaded_at) from raw.deskpro__tickets").fetchall())


def _raw_batch(landing, records: list[dict]) -> Batch:
    """A batch written through the batch writer itself (no validation): the record dicts as given."""
    b = Batch(landing, "deskpro")
    out = b.stream(TicketsStream.name, TicketsStream.spec())
    for r in records:
        out.write([r["id"], dt.datetime.fromisoformat(r["date_status"])], r, "GET /tickets?page=1")
    b.commit()
    return b


def _without_record_hash(b: Batch) -> None:
    """Rewrite ``b``'s tickets file as the writer wrote it before ``_record_hash`` existed."""
    path = b.folder / "tickets.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    drop = table[0].index("_record_hash")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([c for i, c in enumerate(row) if i != drop] for row in table)


def test_the_record_hash_is_the_md5_of_the_record_text_as_the_server_computes_it(conn, landing):
    b = make_batch(landing, [ticket(1, subject='Penyaluran DAU — tahap II, "mohon" info'), ticket(2)])
    load_batch(conn, b.folder)
    assert conn.execute(
        "select count(*) filter (where _record_hash is not null), count(*) from raw.deskpro__tickets"
    ).fetchone() == (2, 2)
    with open(b.folder / "tickets.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            assert row["_record_hash"] == hashlib.md5(row["record"].encode()).hexdigest()
            assert conn.execute("select md5(%s)::uuid = %s::uuid", (row["record"], row["_record_hash"])).fetchone()[0]


def test_a_batch_without_record_hash_loads_and_merges_like_one_with_it(conn, landing):
    """A batch written before ``_record_hash`` existed (still in the landing area): its first load
    leaves the hash null; a merge computes it from the record's text."""
    b1 = make_batch(landing, [ticket(i) for i in range(1, 6)])
    _without_record_hash(b1)
    load_batch(conn, b1.folder)
    assert conn.execute("select count(_record_hash) from raw.deskpro__tickets").fetchone()[0] == 0
    before = _xmin_batch(conn)
    b2 = make_batch(landing, [ticket(i) for i in range(1, 5)] + [ticket(5, status="awaiting_user"), ticket(6)])
    _without_record_hash(b2)
    s = load_batch(conn, b2.folder).streams["tickets"]
    assert (s.inserted, s.updated, s.unchanged) == (1, 1, 4)
    after = _xmin_batch(conn)
    # the unchanged rows keep their batch id and load time; their hash is filled in (once)
    assert {i: after[i][1:] for i in range(1, 5)} == {i: before[i][1:] for i in range(1, 5)}
    assert after[5][1] == after[6][1] == b2.batch_id
    assert conn.execute("select count(_record_hash) from raw.deskpro__tickets").fetchone()[0] == 6
    # the hash the server computed is the one the writer writes: a batch of today skips every row
    b3 = make_batch(landing, [ticket(i) for i in range(1, 5)] + [ticket(5, status="awaiting_user"), ticket(6)])
    s = load_batch(conn, b3.folder).streams["tickets"]
    assert (s.inserted, s.updated, s.unchanged) == (0, 0, 6)
    assert _xmin_batch(conn) == after


def test_a_raw_table_without_record_hash_gets_it_and_its_unchanged_rows_keep_their_batch(conn, landing):
    load_batch(conn, make_batch(landing, [ticket(i) for i in range(1, 4)]).folder)
    conn.execute("alter table raw.deskpro__tickets drop column _record_hash")
    conn.commit()
    before = _xmin_batch(conn)
    b2 = make_batch(landing, [ticket(1), ticket(2), ticket(3, status="awaiting_user")])
    s = load_batch(conn, b2.folder).streams["tickets"]
    assert (s.inserted, s.updated, s.unchanged) == (0, 1, 2)
    after = _xmin_batch(conn)
    assert after[1][1:] == before[1][1:] and after[2][1:] == before[2][1:] and after[3][1] == b2.batch_id
    s = load_batch(conn, b2.folder).streams["tickets"]  # the rerun: every hash equal, nothing written
    assert (s.inserted, s.updated, s.unchanged) == (0, 0, 3)
    assert _xmin_batch(conn) == after


def test_the_same_record_with_its_keys_in_another_order_is_unchanged(conn, landing):
    rec = ticket(1)
    load_batch(conn, _raw_batch(landing, [rec, ticket(2)]).folder)
    before = _xmin_batch(conn)
    b2 = _raw_batch(landing, [dict(reversed(rec.items())), ticket(2)])
    s = load_batch(conn, b2.folder).streams["tickets"]
    assert (s.inserted, s.updated, s.unchanged) == (0, 0, 2)
    after = _xmin_batch(conn)
    assert after[1][1:] == before[1][1:] and after[2] == before[2]
    # its stored hash is now the new text's: the next load of that text writes nothing
    load_batch(conn, b2.folder)
    assert _xmin_batch(conn) == after
