"""Prove a refactoring of dbt_project leaves every mart as it was.

    .venv/bin/python -m bench.compare_marts snapshot   # before: copy every marts.* table into schema snap
    .venv/bin/python -m bench.compare_marts compare    # after a rebuild: diff each mart both ways

`compare` checks, for every table of the snapshot, the column names and types in
order and the rows both ways with EXCEPT ALL (so duplicates count), and lists
marts that appeared or disappeared. It exits 1 on any difference. The warehouse is
WAREHOUSE_URL or the embedded one (started if needed), as for `python -m pipeline`.
"""

from __future__ import annotations

import argparse
import sys

import psycopg
from psycopg import sql

from warehouse.config import resolve

SOURCE = "marts"


def _tables(cur, schema: str) -> list[str]:
    cur.execute(
        "select table_name from information_schema.tables where table_schema = %s and table_type = 'BASE TABLE'"
        " order by 1",
        (schema,),
    )
    return [r[0] for r in cur.fetchall()]


def _columns(cur, schema: str, table: str) -> list[tuple[str, str]]:
    cur.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = %s and table_name = %s order by ordinal_position",
        (schema, table),
    )
    return [(r[0], r[1]) for r in cur.fetchall()]


def snapshot(conn, snap: str) -> int:
    with conn.cursor() as cur:
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(snap)))
        cur.execute(sql.SQL("create schema {}").format(sql.Identifier(snap)))
        tables = _tables(cur, SOURCE)
        for t in tables:
            cur.execute(
                sql.SQL("create table {}.{} as select * from {}.{}").format(
                    sql.Identifier(snap), sql.Identifier(t), sql.Identifier(SOURCE), sql.Identifier(t)
                )
            )
    conn.commit()
    print(f"snapshot: {len(tables)} marts copied into schema {snap}")
    return 0


def compare(conn, snap: str) -> int:
    differences = 0
    with conn.cursor() as cur:
        before, after = set(_tables(cur, snap)), set(_tables(cur, SOURCE))
        for t in sorted(after - before):
            print(f"NEW      {t} (not in the snapshot)")
        for t in sorted(before - after):
            print(f"MISSING  {t}")
            differences += 1
        for t in sorted(before & after):
            cols_before, cols_after = _columns(cur, snap, t), _columns(cur, SOURCE, t)
            if cols_before != cols_after:
                print(f"COLUMNS  {t}: {cols_before} -> {cols_after}")
                differences += 1
                continue
            counts = []
            for a, b in ((snap, SOURCE), (SOURCE, snap)):
                cur.execute(
                    sql.SQL("select count(*) from (select * from {}.{} except all select * from {}.{}) as d").format(
                        sql.Identifier(a), sql.Identifier(t), sql.Identifier(b), sql.Identifier(t)
                    )
                )
                counts.append(cur.fetchone()[0])
            cur.execute(sql.SQL("select count(*) from {}.{}").format(sql.Identifier(SOURCE), sql.Identifier(t)))
            rows = cur.fetchone()[0]
            status = "same" if counts == [0, 0] else "DIFFERENT"
            differences += status != "same"
            print(f"{status:9}{t}: {rows} rows, only before {counts[0]}, only after {counts[1]}")
    print(f"{len(before & after)} marts compared, {differences} with differences")
    return 1 if differences else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["snapshot", "compare"])
    parser.add_argument("--schema", default="snap", help="schema holding the snapshot (default snap)")
    args = parser.parse_args(argv)
    wh = resolve(start=True)
    with psycopg.connect(wh.url) as conn:
        return snapshot(conn, args.schema) if args.action == "snapshot" else compare(conn, args.schema)


if __name__ == "__main__":
    sys.exit(main())
