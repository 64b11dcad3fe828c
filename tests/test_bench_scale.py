"""bench.scale's pure parts: the scaling SQL on a tiny raw schema, the one-day move, the doc section, the goals."""

from __future__ import annotations

import datetime as dt
import json

import psycopg
import pytest

from bench import scale, scale_data

TINY = """
create schema raw;
create table raw.deskpro__tickets (id bigint primary key, date_status timestamptz,
    record jsonb, _request text, _batch_id text, _loaded_at timestamptz, _seq bigint);
create table raw.whatsapp__messages (wamid text primary key, sent_at timestamptz,
    record jsonb, _request text, _batch_id text, _loaded_at timestamptz, _seq bigint, _record_hash uuid);
create table raw.whatsapp__statuses (wamid text, status text, status_at timestamptz,
    record jsonb, _request text, _batch_id text, _loaded_at timestamptz, _seq bigint,
    primary key (wamid, status, status_at));
create table raw.avaya__hsplit (row_date date, starttime bigint, acd bigint, split bigint,
    record jsonb, _request text, _batch_id text, _loaded_at timestamptz, _seq bigint,
    primary key (row_date, starttime, acd, split));
create table raw.deskpro__agents (id bigint primary key,
    record jsonb, _request text, _batch_id text, _loaded_at timestamptz, _seq bigint);
insert into raw.deskpro__tickets values
  (20001, '2023-12-04 02:02:02+00', '{"id": 20001, "person": 7, "date_created": "2023-12-04T01:00:00+0000"}', 'GET', 'b1', now(), 1),
  (20417, '2022-12-31 20:00:00+00', '{"id": 20417, "person": 8, "date_created": "2022-12-31T19:00:00+0000"}', 'GET', 'b1', now(), 2);
insert into raw.whatsapp__messages values
  ('wamid.A', '2023-12-04 03:00:00+00', '{"sent_at": "2023-12-04T03:00:00+00:00", "note": "SE-2023/123 on 05/01/2024"}', 'spool', 'b2', now(), 1),
  ('wamid.B', '2024-01-02 03:00:00+00', '{"sent_at": "2024-01-02T03:00:00+00:00", "count": 2023}', 'spool', 'b2', now(), 2);
insert into raw.whatsapp__statuses values
  ('wamid.A', 'read', '2023-12-04 03:05:00+00', '{"status": "read"}', 'spool', 'b2', now(), 1);
insert into raw.avaya__hsplit values
  ('2023-12-04', 800, 1, 1, '{"row_date": "2023-12-04", "callsoffered": 5}', 'file', 'b3', now(), 1),
  ('2023-12-04', 830, 1, 1, '{"row_date": "2023-12-04", "callsoffered": 7}', 'file', 'b3', now(), 2);
insert into raw.deskpro__agents values (1, '{"id": 1}', 'GET', 'b1', now(), 1);
"""


@pytest.fixture()
def tiny(db_url):
    with psycopg.connect(db_url) as conn:
        conn.execute(TINY)
        conn.commit()
        yield conn


def test_raw_tables_reads_typed_columns_keys_and_strides(tiny):
    t = scale_data.raw_tables(tiny)
    assert t["whatsapp__statuses"].primary_key == ["wamid", "status", "status_at"]
    assert t["deskpro__tickets"].columns == [("id", "bigint"), ("date_status", "timestamp with time zone")]
    assert t["deskpro__tickets"].strides == {"id": 100_000}
    assert t["avaya__hsplit"].date_columns == ["row_date"]
    assert [x.name for x in scale_data.history_tables(t)] == [
        "avaya__hsplit",
        "deskpro__tickets",
        "whatsapp__messages",
        "whatsapp__statuses",
    ]


def test_history_step_is_longer_than_the_span():
    assert scale_data.history_step(dt.date(2022, 12, 1), dt.date(2024, 1, 14)) == 2
    assert scale_data.history_step(dt.date(2023, 1, 1), dt.date(2023, 12, 31)) == 2
    assert scale_data.history_step(dt.date(2023, 1, 1), dt.date(2023, 6, 30)) == 1


def test_history_copies_move_years_back_keep_keys_unique_and_links(tiny):
    tiny.execute("update raw.whatsapp__messages set _record_hash = md5(record::text)::uuid")
    rows = scale_data.replicate(tiny, 4, "history")
    # a copy's record moved its dates: the writer's hash of the original no longer describes it
    hashes = tiny.execute(
        "select wamid like '%~h%', count(_record_hash), count(*) from raw.whatsapp__messages group by 1 order by 1"
    ).fetchall()
    assert hashes == [(False, 2, 2), (True, 0, 6)]
    assert rows == {"avaya__hsplit": 8, "deskpro__tickets": 8, "whatsapp__messages": 8, "whatsapp__statuses": 4}
    # the lookup is not copied
    assert tiny.execute("select count(*) from raw.deskpro__agents").fetchone()[0] == 1
    # Deskpro's step is 1 year (2022-12-31 .. 2023-12-04): copy 3 is 3 years earlier, typed and in the record
    got = tiny.execute("select date_status, record from raw.deskpro__tickets where id = 20001 + 3 * 100000").fetchone()
    assert got[0] == dt.datetime(2020, 12, 4, 2, 2, 2, tzinfo=dt.UTC)
    assert got[1] == {"id": 20001, "person": 7, "date_created": "2020-12-04T01:00:00+0000"}
    # WhatsApp (2023-12-04 .. 2024-01-02): 1 year; each year moved once (2023 -> 2022 first, then 2024 -> 2023)
    rec = tiny.execute("select record from raw.whatsapp__messages where wamid = 'wamid.A~h1'").fetchone()[0]
    assert rec["sent_at"] == "2022-12-04T03:00:00+00:00"
    assert rec["note"] == "SE-2023/123 on 05/01/2023"  # a number before a slash is no year
    rec = tiny.execute("select record from raw.whatsapp__messages where wamid = 'wamid.B~h1'").fetchone()[0]
    assert rec == {"sent_at": "2023-01-02T03:00:00+00:00", "count": 2023}  # a bare number is not a date
    # a key with a date column is new by the shift alone; wamid is re-keyed everywhere
    assert tiny.execute("select count(distinct (acd, split)) from raw.avaya__hsplit").fetchone()[0] == 1
    statuses = {r[0] for r in tiny.execute("select wamid from raw.whatsapp__statuses")}
    messages = {r[0] for r in tiny.execute("select wamid from raw.whatsapp__messages")}
    assert statuses <= messages and len(statuses) == 4
    # each copy's status is as far from its message as the original's
    gaps = tiny.execute(
        "select distinct s.status_at - m.sent_at from raw.whatsapp__statuses s join raw.whatsapp__messages m using (wamid)"
    ).fetchall()
    assert gaps == [(dt.timedelta(minutes=5),)]


def test_volume_copies_keep_dates_and_make_new_keys(tiny):
    tiny.execute("update raw.whatsapp__messages set _record_hash = md5(record::text)::uuid")
    rows = scale_data.replicate(
        tiny, {"whatsapp__messages": 3, "whatsapp__statuses": 3, "deskpro__tickets": 2}, "volume"
    )
    # a volume copy keeps the record, and so its hash
    assert tiny.execute(
        "select count(*) from raw.whatsapp__messages where _record_hash = md5(record::text)::uuid"
    ).fetchone() == (6,)
    assert rows == {"deskpro__tickets": 4, "whatsapp__messages": 6, "whatsapp__statuses": 3}
    assert tiny.execute("select count(distinct sent_at) from raw.whatsapp__messages").fetchone()[0] == 2
    assert sorted(r[0] for r in tiny.execute("select id from raw.deskpro__tickets")) == [20001, 20417, 120001, 120417]
    assert (
        tiny.execute(
            "select count(*) from raw.whatsapp__statuses s join raw.whatsapp__messages m using (wamid)"
        ).fetchone()[0]
        == 3
    )


def test_volume_refuses_a_key_made_only_of_dates():
    t = scale_data.Table("x__days", [("date", "date")], ["date"])
    with pytest.raises(ValueError, match="every key column is a date"):
        scale_data.rekeyed_columns(t, "volume")


def test_one_day_is_moved_with_new_keys(tiny):
    t = scale_data.raw_tables(tiny)
    rows = tiny.execute(scale_data.day_rows_sql(t["whatsapp__messages"]), {"day": dt.date(2023, 12, 4)}).fetchall()
    assert [r[0] for r in rows] == ["wamid.A"]
    keys = dict(zip(["wamid", "sent_at"], rows[0][:2], strict=True))
    assert scale_data.new_day_keys(t["whatsapp__messages"], keys, 35) == [
        "wamid.A~d1",
        dt.datetime(2024, 1, 8, 3, 0, tzinfo=dt.UTC),
    ]
    tk = t["deskpro__tickets"]
    new = scale_data.new_day_keys(tk, {"id": 20001, "date_status": dt.datetime(2023, 12, 4, tzinfo=dt.UTC)}, 7)
    assert new[0] > 1000 * tk.strides["id"]  # beyond every copy
    assert scale_data.shift_value(
        {"a": "2023-12-04T01:00:00+0000", "b": ["2023-12-31"], "c": "SE-2023-12-04x", "d": 5}, 1
    ) == {"a": "2023-12-05T01:00:00+0000", "b": ["2024-01-01"], "c": "SE-2023-12-04x", "d": 5}


def test_national_factor():
    # 100 rows over 10 days = 3,650 a year; 1 M a year needs 274 copies
    assert scale.national_factor(100, dt.date(2023, 1, 1), dt.date(2023, 1, 10), 1_000_000) == 274
    assert scale.national_factor(10_000, dt.date(2023, 1, 1), dt.date(2023, 12, 31), 5_000) == 1
    assert scale.national_factor(0, None, None, 1_000_000) == 1


def test_goals_and_ratios():
    v = scale.daily_verdict("dbt", 110.0, 100.0)
    assert v.met is True and abs(v.value - 1.1) < 1e-9 and scale.mark(v) == "MET"
    v = scale.daily_verdict("dbt", 121.0, 100.0)
    assert v.met is False and scale.mark(v) == "MISSED"
    assert scale.daily_verdict("dbt", 1.0, 0.0).met is None
    assert scale.national_verdict(899.0).met is True
    assert scale.national_verdict(900.0).met is False
    quick = scale.national_verdict(20.0, scale=0.02)  # no goal for a slice: dbt's fixed cost does not shrink
    assert quick.met is None and scale.mark(quick) == "n/a" and "full volume" in quick.goal
    assert scale.verdict_lines([quick]) == [
        "national x 0.02 slice extract->marts: 20.0 s (goal none (the < 15 min goal is for the full volume)): n/a"
    ]
    v.dominated_by = "fct_consultations 50.0 s"
    assert scale.verdict_lines([v]) == ["dbt: 1.21 (goal <= 1.2): MISSED; dominated by fct_consultations 50.0 s"]


def test_replace_section():
    doc = "# Benchmarks\n\nintro\n"
    once = scale.replace_section(doc, "first")
    assert once == "# Benchmarks\n\nintro\n\n<!-- bench-scale:start -->\nfirst\n<!-- bench-scale:end -->\n"
    twice = scale.replace_section(once + "\n## After\n", "second")
    assert "first" not in twice and "second" in twice and twice.endswith("\n## After\n")
    assert twice.count("<!-- bench-scale:start -->") == 1
    # the quick section is a separate one: the full results stay
    both = scale.replace_section(twice, "quick", scale.QSTART, scale.QEND)
    assert "second" in both and "quick" in both
    with pytest.raises(ValueError, match="markers broken"):
        scale.replace_section("<!-- bench-scale:end --> <!-- bench-scale:start -->", "x")


def test_slowest_nodes_and_summary(tmp_path):
    p = tmp_path / "run_results.json"
    p.write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "model.djpk.fct_consultations", "execution_time": 12.5, "status": "success"},
                    {"unique_id": "test.djpk.unique_x.abc", "execution_time": 0.5, "status": "pass"},
                    {"unique_id": "model.djpk.mart_a", "execution_time": 3.0, "status": "success"},
                ]
            }
        )
    )
    assert scale.slowest_nodes(p, 2) == [("model.djpk.fct_consultations", 12.5), ("model.djpk.mart_a", 3.0)]
    assert scale.run_summary(p) == "dbt: 1 pass, 2 success"
    assert scale.nodes_text(scale.slowest_nodes(p, 1)) == "fct_consultations 12.5 s"


def test_load_day_writes_a_batch_and_loads_it_with_the_loader(tiny, db_url, tmp_path):
    tiny.execute(
        "insert into raw.whatsapp__messages values ('wamid.C', '2023-12-04 04:00+00', '{}', 'spool', 'b2', now(), 3)"
    )
    before = {
        t: tiny.execute(f"select count(*) from raw.{t}").fetchone()[0]
        for t in ("whatsapp__messages", "whatsapp__statuses", "avaya__hsplit", "deskpro__tickets")
    }
    tiny.commit()
    info = scale.load_day(db_url, tmp_path / "landing", "~d1")
    # the busiest WhatsApp day is 2023-12-04; the newest date is 2024-01-02: 35 days later, same weekday
    assert info["day"] == "2023-12-04" and info["moved_days"] == 35
    assert info["rows"] == 6  # two messages, one status, two hsplit rows, one ticket of that day
    assert tiny.execute("select sent_at from raw.whatsapp__messages where wamid = 'wamid.A~d1'").fetchone()[0] == (
        dt.datetime(2024, 1, 8, 3, 0, tzinfo=dt.UTC)
    )
    assert tiny.execute("select count(*) from raw.avaya__hsplit where row_date = '2024-01-08'").fetchone()[0] == 2
    after = {t: tiny.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in before}
    assert after == {t: n + (2 if t in ("avaya__hsplit", "whatsapp__messages") else 1) for t, n in before.items()}
    assert tiny.execute("select count(*) from raw._batches").fetchone()[0] == 3  # a batch per source
    # the batch writer hashed the new day's records (a table loaded before `_record_hash` gets the column)
    assert tiny.execute(
        "select count(*), count(_record_hash) from raw.whatsapp__messages where wamid like '%~d1'"
    ).fetchone() == (2, 2)


def test_a_failed_step_gives_no_ratio_and_work_replaces_wall_time():
    ok = scale.Step("load", 3.0, work=0.5)
    assert scale.seconds_if_ok(ok, scale.Step("dbt", 10.0)) == 10.5
    assert scale.seconds_if_ok(ok, scale.Step("dbt", 10.0, ok=False)) is None
    assert scale.daily_verdict("x", scale.seconds_if_ok(scale.Step("a", 1.0, ok=False)), 1.0).met is None


def test_a_call_id_is_rekeyed_even_when_the_key_has_a_date():
    cdr = scale_data.Table(
        "avaya__cdr",
        [("ucid", "text"), ("cond_code", "text"), ("call_date", "date"), ("call_time", "bigint")],
        ["ucid", "cond_code", "call_date", "call_time"],
    )
    # the CDR records of one call share a ucid: a copy's records must not join the original call
    assert scale_data.rekeyed_columns(cdr, "history") == ["ucid"]
    assert scale_data.rekeyed_columns(cdr, "volume") == ["ucid"]
    hagent = scale_data.Table("avaya__hagent", [("row_date", "date"), ("logid", "text")], ["row_date", "logid"])
    assert scale_data.rekeyed_columns(hagent, "history") == []  # the agent stays the same agent


def test_each_source_moves_by_its_own_step(tiny):
    tiny.execute("insert into raw.deskpro__tickets values (20500, '2019-05-02 00:00+00', '{}', 'GET', 'b1', now(), 3)")
    scale_data.replicate(tiny, 2, "history")
    # Deskpro spans 2019-05..2023-12: 5 years; WhatsApp 2023-12..2024-01: 1 year
    assert tiny.execute("select min(date_status)::date from raw.deskpro__tickets").fetchone()[0] == dt.date(2014, 5, 2)
    assert tiny.execute("select min(sent_at)::date from raw.whatsapp__messages").fetchone()[0] == dt.date(2022, 12, 4)
    assert tiny.execute("select min(status_at)::date from raw.whatsapp__statuses").fetchone()[0] == dt.date(2022, 12, 4)


def test_bulk_copies_drop_and_remake_the_keys_and_give_the_same_rows(tiny, monkeypatch):
    monkeypatch.setattr(scale_data, "BULK_MIN_ROWS", 0)  # the tiny tables are bulk too
    keys = (
        "select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = %s::regclass and contype = 'p'"
    )
    before = {t: tiny.execute(keys, (f"raw.{t}",)).fetchall() for t in ("whatsapp__statuses", "deskpro__tickets")}
    base: dict[str, int] = {}
    rows = scale_data.replicate(tiny, {"whatsapp__messages": 3, "whatsapp__statuses": 3}, "volume", base_rows=base)
    assert rows == {"whatsapp__messages": 6, "whatsapp__statuses": 3} and base == {
        "whatsapp__messages": 2,
        "whatsapp__statuses": 1,
    }
    rows = scale_data.replicate(tiny, 2, "history")
    assert rows["deskpro__tickets"] == 4 and rows["whatsapp__statuses"] == 6
    after = {t: tiny.execute(keys, (f"raw.{t}",)).fetchall() for t in before}
    assert after == before  # same names, same columns, in the same order
    # the key is enforced again
    with pytest.raises(psycopg.errors.UniqueViolation):
        tiny.execute("insert into raw.deskpro__tickets select * from raw.deskpro__tickets limit 1")
    tiny.rollback()


def test_bulk_copies_and_the_old_way_make_the_same_rows(db_url, monkeypatch):
    got = []
    for bulk in (True, False):
        with psycopg.connect(db_url) as conn:
            conn.execute("drop schema if exists raw cascade")
            conn.execute(TINY)
            conn.commit()
            monkeypatch.setattr(scale_data, "BULK_MIN_ROWS", 0)
            scale_data.replicate(conn, 3, "history", bulk=bulk)
            scale_data.replicate(conn, {"deskpro__tickets": 4, "whatsapp__messages": 2}, "volume", bulk=bulk)
            got.append(
                {
                    t: conn.execute(f"select to_jsonb(t) - '_loaded_at' j from raw.{t} t order by 1").fetchall()
                    for t in ("deskpro__tickets", "whatsapp__messages", "whatsapp__statuses", "avaya__hsplit")
                }
            )
    assert got[0] == got[1]


def test_a_failed_bulk_insert_leaves_the_indexes(tiny):
    with pytest.raises(psycopg.errors.DivisionByZero):  # noqa: SIM117
        with scale_data.without_indexes(tiny, "whatsapp__statuses"):
            assert (
                tiny.execute(
                    "select count(*) from pg_index where indrelid = 'raw.whatsapp__statuses'::regclass"
                ).fetchone()[0]
                == 0
            )
            tiny.execute("select 1 / 0")
    tiny.rollback()
    assert scale_data.table_indexes(tiny, "whatsapp__statuses") == [
        (
            "whatsapp__statuses_pkey",
            "whatsapp__statuses_pkey",
            'alter table "raw"."whatsapp__statuses" add constraint "whatsapp__statuses_pkey" PRIMARY KEY (wamid, status, status_at)',
        )
    ]


def test_a_table_other_keys_point_at_keeps_its_indexes(tiny):
    tiny.execute("create table raw.refs (wamid text references raw.whatsapp__messages)")
    with scale_data.without_indexes(tiny, "whatsapp__messages") as dropped:
        assert dropped == []
        assert len(scale_data.table_indexes(tiny, "whatsapp__messages")) == 1
    with scale_data.without_indexes(tiny, "deskpro__tickets", enabled=False) as dropped:
        assert dropped == [] and len(scale_data.table_indexes(tiny, "deskpro__tickets")) == 1


def test_generation_rate_and_the_national_extrapolation():
    rows = {"whatsapp__messages": 300, "deskpro__tickets": 50}
    before = {"whatsapp__messages": 100, "deskpro__tickets": 10}
    assert scale.generation_rate(rows, before, 4.0) == "240 rows generated, 60 rows/s"
    note = scale.national_generation_note(rows, before, {"whatsapp__messages": 101, "deskpro__tickets": 41}, 4.0, 0.02)
    # the full volume adds 100 x 100 + 10 x 40 = 10,400 rows: 173.3 s at 60 rows/s
    assert note == (
        "national generation: 240 rows in 4.0 s, 60 rows/s; the full volume adds 10,400 rows: about 2 min 53.3 s"
        " at this rate (a linear extrapolation from this slice, not measured)"
    )
    assert (
        scale.national_generation_note(rows, before, {}, 4.0, 1.0)
        == "national generation: 240 rows in 4.0 s, 60 rows/s"
    )


def test_the_quick_run_is_labelled_and_builds_only_what_the_daily_build_needs():
    assert scale.QUICK["prep"] == "incremental" and scale.QUICK["national_dbt"] is False
    assert scale.FULL["prep"] == "full" and scale.FULL["national_dbt"] is True
    assert scale.PREP_SELECT == "+config.materialized:incremental"  # the incremental models and their ancestors
    label = scale.QUICK_LABEL.format(lo=1, hi=3, share=0.02)
    assert label.startswith("QUICK run") and "not the measurement" in label and "0.02 national slice" in label


def test_the_doc_shows_the_command_that_ran():
    import argparse

    argv = scale.strip_workdir(["--workdir", "/tmp/x", "--quick", "--workdir=/y"])
    assert argv == ["--quick"]
    assert scale.command_line(argparse.Namespace(argv=argv)) == (
        "make bench-scale-quick   # = .venv/bin/python -m bench.scale --quick"
    )
    ns = argparse.Namespace(argv=["--quick", "--reuse-base", "--out", "docs/BENCHMARKS.md"])
    assert scale.command_line(ns) == ".venv/bin/python -m bench.scale --quick --reuse-base --out docs/BENCHMARKS.md"


def test_a_history_copy_was_loaded_as_long_before_as_it_happened(tiny):
    tiny.execute("update raw.whatsapp__messages set _loaded_at = sent_at + interval '1 hour'")  # age_loads
    scale_data.replicate(tiny, 3, "history")
    gaps = tiny.execute("select distinct _loaded_at - sent_at from raw.whatsapp__messages").fetchall()
    assert gaps == [(dt.timedelta(hours=1),)]  # as age_loads after the copies would have made them
    loads = "select count(*), count(distinct _loaded_at) from raw.deskpro__tickets"
    n, distinct = tiny.execute(loads).fetchone()
    scale_data.replicate(tiny, {"deskpro__tickets": 2}, "volume")
    assert tiny.execute(loads).fetchone() == (2 * n, distinct)  # volume copies keep their load times


def test_shares_split_the_copies_without_gaps():
    assert scale_data.shares(12, 2) == [(1, 6), (7, 12)]
    assert scale_data.shares(5, 2) == [(1, 2), (3, 5)]
    assert scale_data.shares(1, 4) == [(1, 1)]
    for copies in range(1, 30):
        for workers in (1, 2, 3, 7):
            got = scale_data.shares(copies, workers)
            assert [k for lo, hi in got for k in range(lo, hi + 1)] == list(range(1, copies + 1))


def test_parallel_copies_make_the_same_rows_and_keys(db_url, monkeypatch):
    monkeypatch.setattr(scale_data, "BULK_MIN_ROWS", 0)
    got = []
    for workers in (1, 2):
        with psycopg.connect(db_url) as conn:
            conn.execute("drop schema if exists raw cascade")
            conn.execute(TINY)
            conn.commit()
            rows = scale_data.replicate(
                conn,
                {"deskpro__tickets": 5, "whatsapp__messages": 4, "whatsapp__statuses": 4},
                "volume",
                url=db_url,
                workers=workers,
            )
            rows.update(scale_data.replicate(conn, 3, "history", url=db_url, workers=workers))
            tables = ("deskpro__tickets", "whatsapp__messages", "whatsapp__statuses", "avaya__hsplit")
            got.append(
                (
                    rows,
                    {
                        t: conn.execute(f"select to_jsonb(t) - '_loaded_at' j from raw.{t} t order by 1").fetchall()
                        for t in tables
                    },
                    {t: scale_data.table_indexes(conn, t) for t in tables},
                )
            )
    assert got[0] == got[1]
    assert got[1][0]["deskpro__tickets"] == 2 * 5 * 3


def test_an_email_copy_is_another_message_not_the_same_delivered_again(tiny):
    tiny.execute(
        "create table raw.email_lapor__messages (uidvalidity bigint, uid bigint, received_at timestamptz,"
        " record jsonb, _request text, _batch_id text, _loaded_at timestamptz, _seq bigint,"
        " primary key (uidvalidity, uid))"
    )
    tiny.execute(
        "insert into raw.email_lapor__messages values"
        " (1, 7, '2023-12-04 02:00:00+00', '{\"message_id\": \"<a@x.go.id>\", \"raw_sha256\": \"ab\"}', 'imap', 'b', now(), 1),"
        " (1, 8, '2023-12-04 03:00:00+00', '{\"message_id\": null, \"raw_sha256\": \"cd\"}', 'imap', 'b', now(), 2)"
    )
    for mode in ("history", "volume"):
        scale_data.replicate(tiny, {"email_lapor__messages": 2}, mode)
    got = tiny.execute(
        "select record ->> 'message_id', record ->> 'raw_sha256' from raw.email_lapor__messages order by uid, 1, 2"
    ).fetchall()
    # every copy has ids of its own; a missing Message-ID stays missing
    assert len(set(got)) == len(got) == 8
    assert sum(1 for m, _ in got if m is None) == 4 and {m for m, _ in got if m} >= {"<a@x.go.id>", "<a@x.go.id>~h1"}
    assert scale_data.new_record_ids(
        "email_lapor__messages", {"message_id": "<a>", "raw_sha256": "ab", "n": 1}, "~d1"
    ) == {
        "message_id": "<a>~d1",
        "raw_sha256": "ab~d1",
        "n": 1,
    }
    assert scale_data.new_record_ids("whatsapp__messages", {"message_id": "<a>"}, "~d1") == {"message_id": "<a>"}


def test_dbt_nodes_sums_by_materialisation(tmp_path, capsys):
    from bench import dbt_nodes

    def results(path, times):
        path.write_text(json.dumps({"results": [{"unique_id": n, "execution_time": t} for n, t in times.items()]}))
        return str(path)

    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "nodes": {
                    "model.p.mart_a": {"config": {"materialized": "table"}, "original_file_path": "models/marts/a.sql"},
                    "model.p.int_b": {"config": {"materialized": "incremental"}, "original_file_path": "models/b.sql"},
                    "test.p.unique_b": {"config": {"where": "__recent_rows__(at)"}, "attached_node": "model.p.int_b"},
                    "test.p.not_null_a": {"config": {}, "attached_node": "model.p.mart_a"},
                }
            }
        )
    )
    a = results(tmp_path / "a.json", {"model.p.mart_a": 1.0, "model.p.int_b": 2.0, "test.p.unique_b": 0.5})
    b = results(
        tmp_path / "b.json",
        {"model.p.mart_a": 4.0, "model.p.int_b": 2.5, "test.p.unique_b": 0.5, "test.p.not_null_a": 1.0},
    )
    dbt_nodes.main([a, b, "--manifest", str(manifest)])
    lines = {ln.rsplit(None, 3)[0].strip(): ln.split()[-3:] for ln in capsys.readouterr().out.splitlines()}
    assert lines["model table (marts)"] == ["1.0", "4.0", "3.0"]
    assert lines["model incremental"] == ["2.0", "2.5", "0.5"]
    assert lines["test of incremental (scoped)"] == ["0.5", "0.5", "0.0"]
    assert lines["test of table"] == ["0.0", "1.0", "1.0"]
