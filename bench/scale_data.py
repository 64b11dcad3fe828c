"""How `bench.scale` makes bigger warehouses out of a real 1x one: SQL over ``raw.*``.

Two ways of scaling, both ``INSERT ... SELECT`` from the rows the real pipeline loaded:

* **history** (``replicate(conn, factor, mode="history")``): copy ``k`` (1 .. factor-1) of
  every event table is the whole table moved ``k * step`` years earlier (``step``, per
  source: the smallest whole number of years longer than the span of the source's data, so
  copies never overlap the original or each other, and a source's tables move together). Typed date/timestamp columns move by ``interval``; dates
  inside ``record`` move with them (every ``YYYY-MM-DD`` and ``/YYYY`` year in the JSON
  text, rewritten year by year in ascending order so no year is moved twice). When the
  primary key has a date column, the shift alone keeps keys unique and every other key
  (agents, splits, skills) stays the same; otherwise the first non-date key column is
  re-keyed (bigint ``+ k * stride``, text ``|| '~h<k>'``).
* **volume** (``replicate(conn, factor, mode="volume", tables=...)``): the same months
  hold ``factor`` times the rows: dates unchanged, keys re-keyed (text ``|| '~v<k>'``,
  bigint ``+ k * stride``; a key's date column is never changed).

Columns named in ``LINKED_TEXT_KEYS`` (WhatsApp's ``wamid``) are re-keyed in every table
that has them, in both modes, so a copied status still belongs to its copied message.
Ids inside ``record`` (a ticket's ``person``, a reply's ``context.id``) are not changed:
a copied ticket points at an existing person, so joins keep their fan-out. ``_batch_id`` is
copied as it is; ``_loaded_at`` too in volume mode, and in history mode it moves with the
dates (a copy k x step years older was loaded k x step years earlier), so a warehouse whose
load times were spread over its history (``bench.incremental_dbt.age_loads``) before the
copies needs no second pass over them.

``day_batch_rows`` takes one day of rows and moves them to a new day (dates in the typed
columns and in ``record``, keys made new), for a daily batch through the real loader.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

META_COLUMNS = {"record", "_request", "_batch_id", "_loaded_at", "_seq", "_record_hash"}
DATE_TYPES = {"date", "timestamp with time zone", "timestamp without time zone"}
LINKED_TEXT_KEYS = {
    "wamid",
    "ucid",
}  # ids that tie rows together (a message and its statuses, a call and its CDR records)
# the key column re-keyed when it is not the first non-date one (an IMAP uid, not the mailbox's identity)
REKEY = {"email_lapor__messages": "uid"}
# Ids inside `record` that identify what a row is about beyond its key (an e-mail's Message-ID, and the
# hash of its bytes that stands in for a missing one: stg_email_lapor__messages dedupes by them): a copy
# gets new ones, tagged as its text keys, else every copy of a message were the same message delivered
# again (10x the deliveries of 1x the messages).
RECORD_IDS = {"email_lapor__messages": ("message_id", "raw_sha256")}
# Event tables of the history mode: dimensions and small lookups (agents, departments,
# categories, registers' workbooks) are the same in a longer history, so they are not copied.
HISTORY_SKIP = {"deskpro__agents", "deskpro__ticket_departments", "cms__categories", "avaya__files"}


@dataclass
class Table:
    name: str  # without the schema
    columns: list[tuple[str, str]]  # typed columns (name, data_type), record and _meta excluded
    primary_key: list[str]
    rows: int = 0
    strides: dict[str, int] = field(default_factory=dict)  # bigint key column -> stride
    has_record_hash: bool = False  # the loader's `_record_hash` column (tables loaded before it lack it)

    @property
    def date_columns(self) -> list[str]:
        return [c for c, t in self.columns if t in DATE_TYPES]

    def type_of(self, col: str) -> str:
        return dict(self.columns)[col]


def raw_tables(conn: psycopg.Connection) -> dict[str, Table]:
    """Every stream table of ``raw`` (those with a ``record`` column), with its typed columns and primary key."""
    rows = conn.execute(
        r"""
        select c.table_name, c.column_name, c.data_type
        from information_schema.columns c
        where c.table_schema = 'raw' and c.table_name like '%\_\_%' and c.table_name not like '\_%'
          and exists (select 1 from information_schema.columns r
                      where r.table_schema = 'raw' and r.table_name = c.table_name and r.column_name = 'record')
        order by c.table_name, c.ordinal_position
        """
    ).fetchall()
    tables: dict[str, Table] = {}
    for name, col, typ in rows:
        t = tables.setdefault(name, Table(name, [], []))
        if col not in META_COLUMNS:
            t.columns.append((col, typ))
        elif col == "_record_hash":
            t.has_record_hash = True
    for name, t in tables.items():
        t.primary_key = [
            r[0]
            for r in conn.execute(
                """
                select a.attname from pg_index i
                join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                where i.indrelid = %s::regclass and i.indisprimary
                order by array_position(i.indkey::int2[], a.attnum)
                """,
                (f"raw.{name}",),
            ).fetchall()
        ]
        t.rows = conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier("raw", name))).fetchone()[0]
        for col, typ in t.columns:
            if typ == "bigint" and col in t.primary_key:
                hi = conn.execute(
                    sql.SQL("select max(abs({})) from {}").format(sql.Identifier(col), sql.Identifier("raw", name))
                ).fetchone()[0]
                t.strides[col] = stride_for(hi or 0)
    return tables


def stride_for(max_abs: int) -> int:
    """The power of ten above every value of a key: ``key + k * stride`` never meets another key."""
    return 10 ** max(len(str(int(max_abs))), 1)


def span_years(conn: psycopg.Connection, tables: list[Table]) -> tuple[int, int, int]:
    """(step in whole years, first year, last year) over every date column of ``tables``."""
    lo: dt.date | None = None
    hi: dt.date | None = None
    for t in tables:
        for c in t.date_columns:
            a, b = conn.execute(
                sql.SQL("select min({c})::date, max({c})::date from {t}").format(
                    c=sql.Identifier(c), t=sql.Identifier("raw", t.name)
                )
            ).fetchone()
            if a is not None:
                lo = a if lo is None or a < lo else lo
                hi = b if hi is None or b > hi else hi
    if lo is None:
        return 1, 2000, 2000
    return history_step(lo, hi), lo.year, hi.year


def history_step(lo: dt.date, hi: dt.date) -> int:
    """Whole years a copy moves so that it cannot overlap the original: more than the span."""
    return max(1, math.floor(((hi - lo).days + 1) / 365) + 1)


def year_shift_sql(expr: sql.Composable, years: list[int], shift: sql.Composable) -> sql.Composable:
    """``expr`` (JSON text) with every ISO date's year and every ``/YYYY`` year moved ``shift`` years earlier.

    Years are replaced in ascending order, each once: a year produced by an earlier
    replacement is smaller than every year still to be replaced, so nothing moves twice."""
    out = expr
    for y in sorted(years):
        # (?<![0-9])YYYY(?=-MM-DD) and (?<=/)YYYY(?![0-9])
        pattern = sql.Literal(f"(?<![0-9]){y}(?=-[01][0-9]-[0-3][0-9])|(?<=/){y}(?![0-9])")
        out = sql.SQL("regexp_replace({out}, {pat}, ({y} - {shift})::text, 'g')").format(
            out=out, pat=pattern, y=sql.Literal(y), shift=shift
        )
    return out


def rekeyed_columns(t: Table, mode: str) -> list[str]:
    """The key columns a copy changes (besides the dates, which history mode always moves)."""
    linked = [c for c in t.primary_key if c in LINKED_TEXT_KEYS]
    if mode == "history" and set(t.primary_key) & set(t.date_columns):
        return linked
    first = REKEY.get(t.name) or next((c for c in t.primary_key if c not in t.date_columns), None)
    if first is None:
        raise ValueError(f"raw.{t.name}: every key column is a date; it cannot be scaled in volume mode")
    return sorted(set(linked) | {first}, key=t.primary_key.index)


def copy_sql(t: Table, mode: str, years: list[int], step: int) -> sql.Composable:
    """``INSERT INTO raw.t SELECT <copy k of every row> FROM raw.t, generate_series(%(first)s, %(copies)s) k``
    (copies ``first`` .. ``copies``: all of them from 1, or one worker's share of them)."""
    k = sql.Identifier("k")
    shift = sql.SQL("({k} * {step})").format(k=k, step=sql.Literal(step))
    rekey = rekeyed_columns(t, mode)
    exprs = []
    for col, typ in t.columns:
        c = sql.Identifier(col)
        if mode == "history" and typ in DATE_TYPES:
            e = sql.SQL("({c} - make_interval(years => {shift}::int))::{typ}").format(
                c=c, shift=shift, typ=sql.SQL(typ)
            )
        elif col in rekey and typ == "bigint":
            e = sql.SQL("{c} + {k} * {stride}::bigint").format(c=c, k=k, stride=sql.Literal(t.strides[col]))
        elif col in rekey:
            tag = "~h" if mode == "history" else "~v"
            e = sql.SQL("{c} || {tag} || {k}").format(c=c, tag=sql.Literal(tag), k=k)
        else:
            e = c
        exprs.append(e)
    record = sql.Identifier("record")
    loaded_at = sql.Identifier("_loaded_at")
    tag = sql.SQL("{} || {}").format(sql.Literal("~h" if mode == "history" else "~v"), k)
    if mode == "history":
        record = sql.SQL("({})::jsonb").format(year_shift_sql(sql.SQL("record::text"), years, shift))
    record = record_ids_sql(t.name, record, tag)
    if mode == "history":
        # a copy moved years back was loaded as many years back: its load stays as far from its events
        loaded_at = sql.SQL("_loaded_at - make_interval(years => {shift}::int)").format(shift=shift)
    names = [sql.Identifier(c) for c, _ in t.columns] + [
        sql.Identifier(c) for c in ("record", "_request", "_batch_id", "_loaded_at", "_seq")
    ]
    values = [
        *exprs,
        record,
        sql.Identifier("_request"),
        sql.Identifier("_batch_id"),
        loaded_at,
        sql.Identifier("_seq"),
    ]
    if t.has_record_hash:
        # the record's hash as the batch writer wrote it: a volume copy keeps the record, a history copy
        # moves its dates (null: the loader's next merge compares such a row's record itself)
        names.append(sql.Identifier("_record_hash"))
        values.append(sql.Identifier("_record_hash") if mode != "history" else sql.NULL)
    return sql.SQL(
        "insert into {t} ({names}) select {values} from {t}, generate_series(%(first)s::int, %(copies)s::int) {k}"
    ).format(t=sql.Identifier("raw", t.name), names=sql.SQL(", ").join(names), values=sql.SQL(", ").join(values), k=k)


def record_ids_sql(table: str, record: sql.Composable, tag: sql.Composable) -> sql.Composable:
    """``record`` with its RECORD_IDS (those present, not null) suffixed by ``tag`` (SQL text)."""
    for key in RECORD_IDS.get(table, ()):
        record = sql.SQL(
            "(select case when r.j ->> {key} is null then r.j else jsonb_set(r.j, {path}, to_jsonb((r.j ->> {key}) || {tag})) end"
            " from (select {record} as j) as r)"
        ).format(key=sql.Literal(key), path=sql.Literal("{" + key + "}"), tag=tag, record=record)
    return record


def new_record_ids(table: str, record: Any, tag: str) -> Any:
    """A day's row's record with new RECORD_IDS (python side of record_ids_sql)."""
    ids = RECORD_IDS.get(table)
    if not ids or not isinstance(record, dict):
        return record
    return {k: (f"{v}{tag}" if k in ids and v is not None else v) for k, v in record.items()}


def history_tables(tables: dict[str, Table]) -> list[Table]:
    """The event tables the history mode copies: those with a typed date column, plus Deskpro's people and organizations."""
    keep = []
    for t in tables.values():
        if t.name in HISTORY_SKIP or not t.primary_key:
            continue
        if t.date_columns or t.name in ("deskpro__people", "deskpro__organizations"):
            keep.append(t)
    return sorted(keep, key=lambda t: t.name)


def replicate(
    conn: psycopg.Connection,
    factor: int | dict[str, int],
    mode: str,
    tables: list[str] | None = None,
    bulk: bool = True,
    base_rows: dict[str, int] | None = None,
    url: str | None = None,
    workers: int = 1,
) -> dict[str, int]:
    """Make ``raw`` ``factor`` times bigger (per table when ``factor`` is a dict); returns rows per table after.

    ``history``: every history table (``history_tables``), copies moved to earlier years.
    ``volume``: the named ``tables`` (or the factor dict's keys), same dates, new keys.
    ``bulk``: a table that gets many rows has its indexes dropped for the insert and built again after
    it (``without_indexes``); False inserts into the indexes as they are (the earlier way, for comparison).
    ``base_rows``: a dict filled with each chosen table's rows before the copies.
    ``workers`` > 1 (with ``url``, the same database): the copies are split by ``k`` over that many
    connections inserting at once (``replicate_parallel``); each commits its own share."""
    assert mode in ("history", "volume"), mode
    all_tables = raw_tables(conn)
    if isinstance(factor, dict):
        chosen = [all_tables[n] for n in sorted(factor)]
        factors = factor
    else:
        chosen = history_tables(all_tables) if tables is None else [all_tables[n] for n in tables]
        factors = {t.name: factor for t in chosen}
    # one step per source: the tables of a source (a message and its statuses, a call's CDR and the
    # split intervals) move together; a source with a longer past (the CMS's archive) moves further
    by_source: dict[str, list[Table]] = {}
    for t in chosen:
        by_source.setdefault(t.name.split("__", 1)[0], []).append(t)
    steps = {}
    for group in by_source.values():
        span = span_years(conn, group) if mode == "history" else (0, 0, 0)
        steps.update({t.name: span for t in group})
    out = {}
    jobs: list[tuple[Table, int, sql.Composable]] = []
    for t in chosen:
        copies = factors[t.name] - 1
        step, first, last = steps[t.name]
        out[t.name] = t.rows
        if base_rows is not None:
            base_rows[t.name] = t.rows
        if copies > 0:
            jobs.append((t, copies, copy_sql(t, mode, list(range(first, last + 1)), step)))
    if workers > 1 and url and jobs:
        conn.commit()
        replicate_parallel(conn, url, jobs, out, workers, bulk)
    else:
        # the index builds after a bulk insert sort in memory up to this (the server's default is 64 MB)
        conn.execute(sql.SQL("set local maintenance_work_mem = {}").format(sql.Literal(BULK_MAINTENANCE_WORK_MEM)))
        for t, copies, statement in jobs:
            # A big insert into a table with its keys' B-trees in place touches one random index page per
            # row and key; dropping them and building them again once (a sort) is what a bulk load does.
            # In one transaction with the insert: an error leaves the table and its indexes as they were.
            with without_indexes(conn, t.name, enabled=bulk and copies * t.rows >= BULK_MIN_ROWS):
                out[t.name] += conn.execute(statement, {"first": 1, "copies": copies}).rowcount
    conn.commit()
    for t in chosen:
        conn.execute(sql.SQL("analyze {}").format(sql.Identifier("raw", t.name)))
    conn.commit()
    return out


def shares(copies: int, workers: int) -> list[tuple[int, int]]:
    """Copies 1..``copies`` split into at most ``workers`` contiguous ranges of nearly equal size."""
    n = max(1, min(workers, copies))
    bounds = [1 + copies * i // n for i in range(n + 1)]
    return [(bounds[i], bounds[i + 1] - 1) for i in range(n)]


def replicate_parallel(
    conn: psycopg.Connection,
    url: str,
    jobs: list[tuple[Table, int, sql.Composable]],
    out: dict[str, int],
    workers: int,
    bulk: bool,
) -> None:
    """``replicate``'s inserts on ``workers`` connections at once: the bulk tables' indexes dropped
    (committed), every table's copies split by ``k`` (``shares``), each share inserted and committed by
    a worker, then the indexes built again, a table per worker. Every worker reads the tables as they
    were before any insert (one exported snapshot): a share must not copy another share's rows. Not one
    transaction: an error leaves the database half made (the benchmark throws it away)."""
    from concurrent.futures import ThreadPoolExecutor

    remake: dict[str, list[str]] = {}
    for t, copies, _ in jobs:
        if bulk and copies * t.rows >= BULK_MIN_ROWS:
            ddl = drop_indexes(conn, t.name)
            if ddl:
                remake[t.name] = ddl
    conn.commit()
    work = [(t, lo, hi, statement) for t, copies, statement in jobs for lo, hi in shares(copies, workers)]
    work.sort(key=lambda w: -(w[2] - w[1] + 1) * w[0].rows)  # the biggest first: the workers end together

    rr = psycopg.IsolationLevel.REPEATABLE_READ
    holder = psycopg.connect(url)
    holder.isolation_level = rr
    snapshot = holder.execute("select pg_export_snapshot()").fetchone()[0]

    def insert(w: tuple[Table, int, int, sql.Composable]) -> tuple[str, int]:
        t, lo, hi, statement = w
        with psycopg.connect(url) as c:  # commits when the block ends
            c.isolation_level = rr
            c.execute(sql.SQL("set transaction snapshot {}").format(sql.Literal(snapshot)))
            return t.name, c.execute(statement, {"first": lo, "copies": hi}).rowcount

    def build(ddl: list[str]) -> None:
        with psycopg.connect(url) as c:
            c.execute(sql.SQL("set maintenance_work_mem = {}").format(sql.Literal(BULK_MAINTENANCE_WORK_MEM)))
            for statement in ddl:
                c.execute(statement)

    with ThreadPoolExecutor(workers) as pool:
        try:
            for name, n in pool.map(insert, work):
                out[name] += n
        finally:
            holder.close()
        list(pool.map(build, sorted(remake.values(), key=len, reverse=True)))


BULK_MIN_ROWS = 50_000  # fewer rows than this go into the indexes as they are
BULK_MAINTENANCE_WORK_MEM = "512MB"


def table_indexes(conn: psycopg.Connection, table: str) -> list[tuple[str, str | None, str]]:
    """``raw.<table>``'s indexes: (index name, constraint name or None, the DDL that makes it again).

    A primary key or unique constraint is made again by ``ALTER TABLE ... ADD CONSTRAINT``, a plain
    index by its ``CREATE INDEX``; names, columns, order and options stay as they were."""
    rows = conn.execute(
        """
        select ic.relname, con.conname, pg_get_indexdef(i.indexrelid), pg_get_constraintdef(con.oid)
        from pg_index i
        join pg_class ic on ic.oid = i.indexrelid
        left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = i.indrelid
        where i.indrelid = %s::regclass
        order by ic.relname
        """,
        (f"raw.{table}",),
    ).fetchall()
    out = []
    for index, constraint, index_def, constraint_def in rows:
        if constraint:
            ddl = sql.SQL("alter table {} add constraint {} {}").format(
                sql.Identifier("raw", table), sql.Identifier(constraint), sql.SQL(constraint_def)
            )
        else:
            ddl = sql.SQL(index_def)
        out.append((index, constraint, ddl.as_string(conn)))
    return out


@contextlib.contextmanager
def without_indexes(conn: psycopg.Connection, table: str, enabled: bool = True):
    """Drop ``raw.<table>``'s indexes (and the key constraints they back) for the block, and make them
    again after it, in the block's transaction. A constraint another table's foreign key depends on
    is not dropped: then the indexes stay as they are."""
    if not enabled:
        yield []
        return
    ddl = drop_indexes(conn, table)
    yield ddl
    for statement in ddl:
        conn.execute(statement)


def drop_indexes(conn: psycopg.Connection, table: str) -> list[str]:
    """Drop ``raw.<table>``'s indexes and key constraints (not committed); returns the DDL that makes them
    again, or ``[]`` (nothing dropped) when another table's foreign key points at the table."""
    indexes = table_indexes(conn, table)
    referenced = conn.execute(
        "select count(*) from pg_constraint where contype = 'f' and confrelid = %s::regclass", (f"raw.{table}",)
    ).fetchone()[0]
    if referenced:
        return []
    for index, constraint, _ in indexes:
        if constraint:
            conn.execute(
                sql.SQL("alter table {} drop constraint {}").format(
                    sql.Identifier("raw", table), sql.Identifier(constraint)
                )
            )
        else:
            conn.execute(sql.SQL("drop index {}").format(sql.Identifier("raw", index)))
    return [ddl for _, _, ddl in indexes]


# --------------------------------------------------------------------------- one new day

_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def shift_value(v: Any, days: int) -> Any:
    """``v`` with every ISO date or timestamp string in it (nested) moved ``days`` days; other values unchanged."""
    if isinstance(v, dict):
        return {k: shift_value(x, days) for k, x in v.items()}
    if isinstance(v, list):
        return [shift_value(x, days) for x in v]
    if isinstance(v, str) and len(v) >= 10 and _ISO.match(v):
        d = dt.date.fromisoformat(v[:10]) + dt.timedelta(days=days)
        return d.isoformat() + v[10:]
    if isinstance(v, dt.datetime | dt.date):
        return v + dt.timedelta(days=days)
    return v


def new_day_keys(t: Table, keys: dict[str, Any], days: int, tag: str = "~d1") -> list[Any]:
    """A day's row's typed columns moved ``days`` days, with new keys (never met by a history or volume copy)."""
    rekey = rekeyed_columns(t, "history")  # dates move, so a key with a date is new already
    out = []
    for col, typ in t.columns:
        v = keys[col]
        if v is None:
            out.append(v)
        elif typ in DATE_TYPES:
            out.append(v + dt.timedelta(days=days))
        elif col in rekey and typ == "bigint":
            out.append(v + 999 * t.strides[col] * 1000)  # beyond every copy of a 1000x scaling
        elif col in rekey:
            out.append(f"{v}{tag}")
        else:
            out.append(v)
    return out


LOADER_TYPES = {"timestamp with time zone": "timestamptz"}


def spec_columns(t: Table) -> list[tuple[str, str]]:
    """``t``'s typed columns as a landing batch's ``StreamSpec`` names their types."""
    return [(c, LOADER_TYPES.get(typ, typ)) for c, typ in t.columns]


def day_rows_sql(t: Table) -> sql.Composable:
    """The typed columns, ``record`` and ``_request`` of ``t``'s rows of day ``%(day)s`` (Asia/Jakarta, first date column)."""
    col = t.date_columns[0]
    day = (
        sql.SQL("{c}").format(c=sql.Identifier(col))
        if t.type_of(col) == "date"
        else sql.SQL("({c} at time zone 'Asia/Jakarta')::date").format(c=sql.Identifier(col))
    )
    cols = sql.SQL(", ").join(sql.Identifier(c) for c, _ in t.columns)
    return sql.SQL("select {cols}, record, _request from {t} where {day} = %(day)s order by _seq").format(
        cols=cols, t=sql.Identifier("raw", t.name), day=day
    )
