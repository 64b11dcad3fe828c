"""Incremental dbt models: measure a build after one new day, and the helpers of the proof.

    .venv/bin/python -m bench.incremental_dbt measure      # on a built warehouse (make run)

`measure` sets the load time of the raw rows of the incremental sources (WhatsApp
messages and statuses, Email Lapor) to an hour after their event (history loaded day by
day, not all at once as by a first pipeline run), holds back
the rows of their last day, builds the project with --full-refresh, puts the
day back as a new load (`_loaded_at` now), then times `dbt build` (incremental) and
`dbt build --full-refresh` on the same data, with the growth of Postgres' temp files
(pg_stat_database.temp_bytes) during each, and checks that both gave the same marts
(EXCEPT ALL both ways, as bench/compare_marts.py). It prints ratios; the warehouse is
left as a full build of all its raw data. tests/test_incremental_dbt.py uses the same
helpers for its sequence of late loads.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import psycopg
from psycopg import sql

from bench.compare_marts import _tables

# raw table -> its event time: what a "day" of data is
RAW_EVENT_TIME = {
    "whatsapp__messages": "sent_at",
    "whatsapp__statuses": "status_at",
    "email_lapor__messages": "received_at",
    "avaya__cdr": "call_date",
}
# the incremental models (schema, relation), compared too besides the marts
INCREMENTAL_MODELS = [
    ("staging", "stg_whatsapp__messages"),
    ("staging", "stg_whatsapp__statuses"),
    ("intermediate", "int_whatsapp__outbound_messages"),
    ("staging", "stg_email_lapor__messages"),
    ("intermediate", "int_whatsapp__conversation_messages"),
    ("intermediate", "int_whatsapp__conversations"),
    ("intermediate", "int_consultations__enriched"),
    ("intermediate", "int_phone__calls"),
]
# dbt selection: the incremental models and everything downstream of them
DOWNSTREAM = ["stg_whatsapp__messages+", "stg_whatsapp__statuses+", "stg_email_lapor__messages+", "int_phone__calls+"]
HOLDBACK = "holdback"


def dbt(*args: str, env: dict[str, str] | None = None) -> float:
    """`python -m pipeline dbt <args>`; its wall time in seconds (fails on a dbt error)."""
    started = time.monotonic()
    res = subprocess.run(
        [sys.executable, "-m", "pipeline", "dbt", *args], env=env, capture_output=True, text=True, check=False
    )
    assert res.returncode == 0, res.stdout[-5000:] + res.stderr[-3000:]
    return time.monotonic() - started


def hold_back(conn, where: dict[str, str]) -> dict[str, int]:
    """Move the raw rows matching where[table] (SQL on the raw table) into schema holdback."""
    moved = {}
    with conn.cursor() as cur:
        cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(HOLDBACK)))
        for table, condition in where.items():
            target = sql.Identifier(HOLDBACK, table)
            raw = sql.Identifier("raw", table)
            cur.execute(sql.SQL("create table if not exists {} (like {})").format(target, raw))
            cur.execute(sql.SQL("insert into {} select * from {} where ").format(target, raw) + sql.SQL(condition))
            cur.execute(sql.SQL("delete from {} where ").format(raw) + sql.SQL(condition))
            moved[table] = cur.rowcount
    conn.commit()
    return moved


def release(conn, where: dict[str, str] | None = None, loaded_at: str = "now()") -> dict[str, int]:
    """Put held-back rows (matching where[table], default all) back into raw as a new load:
    `_loaded_at` set to `loaded_at` (SQL), every other column as it was."""
    released = {}
    with conn.cursor() as cur:
        for table in RAW_EVENT_TIME:
            cur.execute("select to_regclass(%s)", (f"{HOLDBACK}.{table}",))
            if cur.fetchone()[0] is None:
                continue
            condition = sql.SQL((where or {}).get(table, "true"))
            cur.execute(
                "select column_name from information_schema.columns where table_schema = 'raw' and table_name = %s"
                " order by ordinal_position",
                (table,),
            )
            cols = [r[0] for r in cur.fetchall()]
            values = sql.SQL(", ").join(sql.SQL(loaded_at) if c == "_loaded_at" else sql.Identifier(c) for c in cols)
            cur.execute(
                sql.SQL("insert into {} ({}) select {} from {} where ").format(
                    sql.Identifier("raw", table),
                    sql.SQL(", ").join(map(sql.Identifier, cols)),
                    values,
                    sql.Identifier(HOLDBACK, table),
                )
                + condition
            )
            released[table] = cur.rowcount
            cur.execute(sql.SQL("delete from {} where ").format(sql.Identifier(HOLDBACK, table)) + condition)
    conn.commit()
    return released


def age_loads(conn) -> None:
    """Set the load time of every raw row of the incremental sources to an hour after its event,
    as if the history had been loaded day by day as it happened (a whole pipeline run loads it
    all at once, so every row would be within an incremental run's lookback)."""
    with conn.cursor() as cur:
        for table, event_time in RAW_EVENT_TIME.items():
            cur.execute(
                sql.SQL("update {} set _loaded_at = {} + interval '1 hour'").format(
                    sql.Identifier("raw", table), sql.Identifier(event_time)
                )
            )
        # a CDR file's version was loaded with its records (int_phone__calls recomputes the calls of a file
        # whose version changed in its window)
        cur.execute(
            "update raw.avaya__files as f set _loaded_at = c.loaded_at"
            " from (select record ->> 'source_file' as file_name, max(_loaded_at) as loaded_at"
            "       from raw.avaya__cdr group by 1) as c"
            " where c.file_name = f.file_name"
        )
    conn.commit()


def model_seconds(project_dir: str) -> tuple[float, float]:
    """From dbt's run_results.json: seconds spent in the incremental models, and in their data tests."""
    import json
    from pathlib import Path

    results = json.loads((Path(project_dir) / "target" / "run_results.json").read_text())["results"]
    names = {name for _, name in INCREMENTAL_MODELS}
    models = sum(r["execution_time"] for r in results if r["unique_id"].split(".")[-1] in names)
    tests = sum(
        r["execution_time"]
        for r in results
        if r["unique_id"].startswith("test.") and any(n in r["unique_id"] for n in names)
    )
    return models, tests


def drop_holdback(conn) -> None:
    conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(HOLDBACK)))
    conn.commit()


def relations_to_compare(conn) -> list[tuple[str, str]]:
    """Every mart and every incremental model."""
    with conn.cursor() as cur:
        return [("marts", t) for t in _tables(cur, "marts")] + INCREMENTAL_MODELS


def snapshot(conn, relations: list[tuple[str, str]], snap: str) -> None:
    with conn.cursor() as cur:
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(snap)))
        cur.execute(sql.SQL("create schema {}").format(sql.Identifier(snap)))
        for schema, table in relations:
            cur.execute(
                sql.SQL("create table {} as select * from {}").format(
                    sql.Identifier(snap, f"{schema}__{table}"), sql.Identifier(schema, table)
                )
            )
    conn.commit()


def differences(conn, relations: list[tuple[str, str]], snap: str) -> dict[str, tuple[int, int]]:
    """Per relation that differs from its snapshot: (rows only in the snapshot, rows only now), EXCEPT ALL."""
    found = {}
    with conn.cursor() as cur:
        for schema, table in relations:
            before, now = sql.Identifier(snap, f"{schema}__{table}"), sql.Identifier(schema, table)
            counts = []
            for a, b in ((before, now), (now, before)):
                cur.execute(
                    sql.SQL("select count(*) from (select * from {} except all select * from {}) as d").format(a, b)
                )
                counts.append(cur.fetchone()[0])
            if counts != [0, 0]:
                found[f"{schema}.{table}"] = tuple(counts)
    conn.rollback()
    return found


def temp_bytes(conn) -> int:
    conn.execute("select pg_stat_clear_snapshot()")
    value = conn.execute("select temp_bytes from pg_stat_database where datname = current_database()").fetchone()[0]
    conn.rollback()
    return int(value)


def measure(conn) -> int:
    last_day = {t: f"{c} >= (select max({c}) from raw.{t}) - interval '1 day'" for t, c in RAW_EVENT_TIME.items()}
    age_loads(conn)
    print("held back (the last day):", hold_back(conn, last_day))
    try:
        dbt("build", "--full-refresh")
    finally:
        print("released as a new load:", release(conn))
        drop_holdback(conn)
    figures = {}
    for name, args in (("incremental", ["build"]), ("full", ["build", "--full-refresh"])):
        before = temp_bytes(conn)
        seconds = dbt(*args)
        figures[name] = (seconds, temp_bytes(conn) - before)
        models, tests = model_seconds(os.environ["DBT_PROJECT_DIR"])
        print(
            f"{name:12} dbt {' '.join(args):22} {seconds:7.1f} s  temp {figures[name][1] / 2**20:8.1f} MiB"
            f"  (incremental models {models:.1f} s, their data tests {tests:.1f} s)"
        )
        if name == "incremental":
            snapshot(conn, relations_to_compare(conn), "incr_snap")
    diff = differences(conn, relations_to_compare(conn), "incr_snap")
    conn.execute("drop schema incr_snap cascade")
    conn.commit()
    (inc_s, inc_t), (full_s, full_t) = figures["incremental"], figures["full"]
    print(f"incremental / full: wall {inc_s / full_s:.2f}, temp bytes {inc_t / full_t if full_t else float('nan'):.2f}")
    print("marts and incremental models after incremental == after full refresh:", not diff, diff or "")
    return 1 if diff else 0


def main(argv: list[str] | None = None) -> int:
    from pipeline.settings import dbt_env
    from warehouse.config import resolve

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["measure"])
    parser.parse_args(argv)
    wh = resolve(start=True)
    os.environ.update(dbt_env(wh))
    with psycopg.connect(wh.url) as conn:
        return measure(conn)


if __name__ == "__main__":
    sys.exit(main())
