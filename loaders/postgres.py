"""Load an extract batch into ``raw.<source>__<stream>``: COPY, then one merge transaction.

For every stream of the batch, inside ONE transaction:
1. the first load of a stream (its raw table empty) ``COPY``s the batch's CSV
   straight into the raw table: bytes from the file, no per-row Python, one write
   per row, its indexes made after the COPY; ``_batch_id`` and ``_loaded_at`` come
   from column defaults set to the batch's. If a key occurs twice in the batch, that
   COPY is rolled back to a savepoint and the batch is merged as in 2;
2. otherwise ``COPY`` into a temporary table (the record as text) and merge into
   the raw table by primary key (the last copy of a key in the batch wins). A row
   whose ``_record_hash`` (the MD5 of the record's text, written by the batch writer)
   equals the stored one is left alone without parsing or comparing its JSON; only
   new rows and rows whose hash differs are parsed, and of those only the ones whose
   record really changed are written. So a rerun leaves identical rows, ``_loaded_at``
   and ``_batch_id`` included;
3. on a full refresh, delete the rows the source no longer returns, but only when
   the extract proved its listing complete (the source's own count matches what
   arrived, every page arrived) and the shrink is within ``max_shrink`` (default
   5 % of the stream's rows); the raw row of a record whose new version was
   rejected is never deleted. Otherwise the whole batch is refused
   (``CompletenessError``, naming the counts and the override);
4. put the batch's rejected records into ``raw._quarantine`` with their reasons,
   and resolve the open entries whose key now loaded valid;
5. advance the stream's watermark and record the batch in ``raw._batches``.
A crash or a refusal anywhere rolls all of it back: the previous state stays intact.
Errors name the table, the line and the rule, never a record's text.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from extractors.common.batch import RECORD_HASH, read_manifest

log = logging.getLogger(__name__)

RAW = "raw"

_META_DDL = f"""
create schema if not exists {RAW};
create table if not exists {RAW}._batches (
    batch_id text primary key,
    source text not null,
    window_ jsonb not null,
    streams jsonb not null,
    requests integer,
    loaded_at timestamptz not null
);
create table if not exists {RAW}._watermarks (
    source text not null,
    stream text not null,
    watermark timestamptz,
    batch_id text not null,
    updated_at timestamptz not null,
    primary key (source, stream)
);
create table if not exists {RAW}._quarantine (
    source text not null,
    stream text not null,
    record_key text not null,
    reason text not null,
    record_hash text not null,
    record jsonb,
    request text,
    first_batch_id text not null,
    last_batch_id text not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    times_seen integer not null default 1,
    primary key (source, stream, record_key, reason, record_hash)
);
alter table {RAW}._quarantine add column if not exists action text not null default 'rejected';
alter table {RAW}._quarantine add column if not exists resolved_at timestamptz;
alter table {RAW}._quarantine add column if not exists resolved_batch_id text;
"""

DEFAULT_MAX_SHRINK = 0.05
DEFAULT_FREE_ROWS = 10


class CompletenessError(RuntimeError):
    """A batch that would delete rows without proof that its extract was complete."""


class LoadError(RuntimeError):
    """A batch the database refused; the message names the table, line and rule, not the record."""


@dataclass
class LoadOptions:
    """What a load may do. ``max_shrink``: the largest share of a stream's rows a full
    refresh may delete in one run, beyond ``free_rows`` (a corrected workbook of five
    rows that loses one is not a lost page). ``force_deletions``: delete even when the
    listing is not proved complete or the shrink is larger (an engineer's explicit decision)."""

    max_shrink: float = DEFAULT_MAX_SHRINK
    free_rows: int = DEFAULT_FREE_ROWS
    force_deletions: bool = False

    @classmethod
    def from_env(cls, **overrides: Any) -> LoadOptions:
        opts = cls(
            max_shrink=float(os.environ.get("DJPK_MAX_SHRINK", DEFAULT_MAX_SHRINK)),
            free_rows=int(os.environ.get("DJPK_MAX_SHRINK_FREE_ROWS", DEFAULT_FREE_ROWS)),
        )
        for k, v in overrides.items():
            if v is not None:
                setattr(opts, k, v)
        return opts


_ALLOWED_TYPES = {"bigint", "integer", "text", "timestamptz", "date", "boolean", "double precision", "numeric"}


@dataclass
class StreamLoad:
    table: str
    copied: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: int = 0
    resolved: int = 0  # quarantine entries closed because their key loaded valid
    cleaned: int = 0
    watermark: str | None = None


@dataclass
class LoadResult:
    batch_id: str
    source: str
    streams: dict[str, StreamLoad] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {n: vars(s) for n, s in self.streams.items()}


def ensure_meta(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('raw._meta'))")
        conn.execute(_META_DDL)


def _ident(name: str) -> sql.Identifier:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe identifier {name!r}")
    return sql.Identifier(name)


def _coltype(t: str) -> sql.SQL:
    if t not in _ALLOWED_TYPES:
        raise ValueError(f"unsupported key column type {t!r}")
    return sql.SQL(t)


# The batch id and load time of the transaction: column defaults read them, so a COPY
# straight into a raw table (the first load of a stream) fills them without a pass
# of its own. Unset (null) outside a load, so a stray insert fails the not-null
# constraint instead of going unmarked.
_BATCH_SETTING = "djpk.batch_id"
_LOADED_AT_SETTING = "djpk.loaded_at"
_BATCH_DEFAULT = sql.SQL("nullif(current_setting({}, true), '')").format(sql.Literal(_BATCH_SETTING))
_LOADED_AT_DEFAULT = sql.SQL("nullif(current_setting({}, true), '')::timestamptz").format(
    sql.Literal(_LOADED_AT_SETTING)
)


def _ensure_table(conn: psycopg.Connection, spec: dict) -> None:
    schema, table = sql.Identifier(RAW), _ident(spec["table"])
    cols = [sql.SQL("{} {}").format(_ident(c), _coltype(t)) for c, t in spec["columns"]]
    pk = [_ident(c) for c in spec["primary_key"]]
    conn.execute(
        sql.SQL(
            "create table if not exists {schema}.{table} ("
            "{cols}, record jsonb not null, _request text, "
            "_batch_id text not null default {batch_default}, "
            "_loaded_at timestamptz not null default {at_default}, "
            "_seq bigint, _record_hash uuid, primary key ({pk}))"
        ).format(
            schema=schema,
            table=table,
            cols=sql.SQL(", ").join(cols),
            pk=sql.SQL(", ").join(pk),
            batch_default=_BATCH_DEFAULT,
            at_default=_LOADED_AT_DEFAULT,
        )
    )
    # Tables created before `_seq`, the defaults or `_record_hash` existed get them once. (Checked
    # first: ALTER TABLE would lock the table against readers until the load commits, even when it
    # has nothing to add.)
    has = {
        name
        for (name,) in conn.execute(
            "select attname from pg_attribute where attrelid = %s::regclass "
            "and attname in ('_seq', '_record_hash') and not attisdropped",
            (f"{RAW}.{spec['table']}",),
        )
    }
    if "_seq" not in has:
        conn.execute(
            sql.SQL(
                "alter table {schema}.{table} add column _seq bigint, "
                "alter column _batch_id set default nullif(current_setting({batch_setting}, true), ''), "
                "alter column _loaded_at set default current_setting({at_setting})::timestamptz"
            ).format(
                schema=schema,
                table=table,
                batch_setting=sql.Literal(_BATCH_SETTING),
                at_setting=sql.Literal(_LOADED_AT_SETTING),
            )
        )
    # Every incremental model's window reads a raw table by load time (dbt_project/macros/incremental.sql).
    if not conn.execute(
        "select 1 from pg_index where indrelid = %s::regclass and indkey[0] = "
        "(select attnum from pg_attribute where attrelid = %s::regclass and attname = '_loaded_at')",
        (f"{RAW}.{spec['table']}",) * 2,
    ).fetchone():
        conn.execute(
            sql.SQL("create index if not exists {index} on {schema}.{table} (_loaded_at)").format(
                index=_ident(f"{spec['table']}__loaded_at"), schema=schema, table=table
            )
        )
    if "_record_hash" not in has:
        # A null hash compares unequal to every batch's: the next merge compares those rows' records
        # and writes the hash of each unchanged one it reads (its batch id and load time kept).
        conn.execute(
            sql.SQL("alter table {schema}.{table} add column _record_hash uuid").format(schema=schema, table=table)
        )


@contextlib.contextmanager
def _bulk_first_load(cur: psycopg.Cursor, target: sql.Composable, batch_id: str, loaded_at: dt.datetime):
    """The first load's COPY into an empty raw table, held under an exclusive lock, as a bulk load.

    - The table's indexes (its primary key, the load-time index) are dropped before and made again
      after: each built once, by a sort, instead of one b-tree insertion per row and index. A key
      twice in the batch fails the primary key's ADD with a UniqueViolation, as the COPY did with the
      key in place; the caller's savepoint then restores the table as it was, indexes included.
    - ``_batch_id`` and ``_loaded_at`` default to this batch's constants (not a call of
      ``current_setting`` and a timestamp parse per row), then read the settings again.
    Nothing of it is visible to others: readers wait on the lock until the batch commits.
    """
    rel = target.as_string(cur)
    pkey = cur.execute(
        "select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = %s::regclass and contype = 'p'",
        (rel,),
    ).fetchone()
    others = cur.execute(
        "select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) from pg_index i "
        "where i.indrelid = %s::regclass and not exists "
        "(select 1 from pg_constraint c where c.conindid = i.indexrelid)",
        (rel,),
    ).fetchall()
    cur.execute(
        sql.SQL("alter table {} alter column _batch_id set default {}, alter column _loaded_at set default {}").format(
            target, sql.Literal(batch_id), sql.Literal(loaded_at)
        )
    )
    if pkey:
        cur.execute(sql.SQL("alter table {} drop constraint {}").format(target, sql.Identifier(pkey[0])))
    for name, _ in others:
        cur.execute(sql.SQL("drop index {}").format(sql.SQL(name)))  # regclass text: qualified and quoted
    yield
    if pkey:
        cur.execute(
            sql.SQL("alter table {} add constraint {} {}").format(target, sql.Identifier(pkey[0]), sql.SQL(pkey[1]))
        )
    for _, definition in others:
        cur.execute(definition)
    cur.execute(
        sql.SQL("alter table {} alter column _batch_id set default {}, alter column _loaded_at set default {}").format(
            target, _BATCH_DEFAULT, _LOADED_AT_DEFAULT
        )
    )


def _csv_header(csv_path: Path) -> list[str]:
    """The column names of a stream file's header line."""
    with open(csv_path, encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh), [])


# The merge's memory, sized to the batch file and capped. ``work_mem`` (this transaction only) lets
# the join and the duplicate check of a large batch hash in memory instead of spilling to disk;
# ``temp_buffers`` keeps the staged batch in the backend's own buffers instead of the OS's files.
# Both are ceilings, used only as far as needed: a daily batch of a few thousand rows uses megabytes.
_WORK_MEM_MAX = 768 << 20
_TEMP_BUFFERS_MAX = 1 << 30


def _work_mem(csv_path: Path) -> str:
    """``work_mem`` for the merge: the file's size (hash_mem_multiplier doubles it for the join), 16 MB to 768 MB."""
    return f"{min(max(csv_path.stat().st_size, 16 << 20), _WORK_MEM_MAX) >> 10}kB"


def _size_temp_buffers(conn: psycopg.Connection, csv_path: Path) -> None:
    """Size the session's temp buffers to the batch (1.5 x the file, 8 MB to 1 GB).

    Only possible before the session's first temporary table: afterwards the server refuses
    and the session keeps the size it has (a savepoint absorbs the refusal)."""
    want = min(max(csv_path.stat().st_size * 3 // 2, 8 << 20), _TEMP_BUFFERS_MAX)
    try:
        with conn.transaction():
            conn.execute(sql.SQL("set temp_buffers = {}").format(sql.Literal(f"{want >> 10}kB")))
    except psycopg.Error:
        pass


def _copy_file(cur: psycopg.Cursor, statement: sql.Composable, csv_path: Path) -> int:
    try:
        with cur.copy(statement) as cp, open(csv_path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                cp.write(chunk)
    except psycopg.errors.UniqueViolation:
        raise
    except psycopg.DataError as exc:
        # The server's message has the offending line's text in its CONTEXT: keep
        # only the line number, the column and the rule.
        diag = exc.diag
        where = re.search(r"COPY \S+, line (\d+)(, column (\w+))?", diag.context or "")
        at = (
            f"line {where.group(1)}" + (f", column {where.group(3)}" if where and where.group(3) else "")
            if where
            else "?"
        )
        raise LoadError(f"{csv_path.name}: COPY refused {at}: {diag.message_primary} [{diag.sqlstate}]") from None
    return cur.rowcount if cur.rowcount and cur.rowcount > 0 else 0


def _key_text(key_cols: list[str], alias: str) -> sql.Composable:
    """SQL for a row's key as ``Stream.describe`` writes it: ``col=value[,col=value]``."""
    parts = [
        sql.SQL("{} || coalesce({}.{}::text, 'None')").format(sql.Literal(f"{c}="), sql.Identifier(alias), _ident(c))
        for c in key_cols
    ]
    return sql.SQL(" || ',' || ").join(parts)


def _check_deletions(evidence: dict, table: str, doomed: int, existing: int, options: LoadOptions) -> None:
    """Refuse (raise) a deletion the extract did not prove right."""
    if doomed == 0 or options.force_deletions:
        return
    source, stream = evidence.get("source"), evidence.get("stream")
    counts = (
        f"the source listed {evidence.get('expected') if evidence.get('expected') is not None else 'an unknown number of'} "
        f"records, {evidence.get('received') if evidence.get('received') is not None else '?'} arrived; "
        f"{doomed} of the {existing} rows of {table} would be deleted"
    )
    how = (
        f"Nothing was loaded or deleted. If the source really dropped them, rerun with "
        f"`python -m pipeline dag {source} --full-refresh --force-deletions` or the DAG param "
        f"force_deletions=true (bound: DJPK_MAX_SHRINK={options.max_shrink:g} beyond "
        f"DJPK_MAX_SHRINK_FREE_ROWS={options.free_rows})."
    )
    if evidence.get("complete") is not True:
        why = "; ".join(evidence.get("problems") or []) or "the extract did not prove its listing complete"
        raise CompletenessError(f"{source}.{stream}: full refresh refused: {why}; {counts}. {how}")
    if existing and doomed > options.free_rows and doomed / existing > options.max_shrink:
        raise CompletenessError(
            f"{source}.{stream}: full refresh refused: it would delete {doomed / existing:.1%} of the rows, "
            f"more than the bound of {options.max_shrink:.0%}; {counts}. {how}"
        )


def load_stream(
    conn: psycopg.Connection,
    spec: dict,
    csv_path: Path,
    batch_id: str,
    loaded_at: dt.datetime,
    full_refresh: bool = False,
    *,
    evidence: dict | None = None,
    rejected_pks: list[list[str]] | None = None,
    options: LoadOptions | None = None,
) -> StreamLoad:
    """COPY one stream file and merge it. Call inside a transaction.

    ``evidence``: the stream's completeness evidence from the manifest (``source``,
    ``stream``, ``complete``, ``expected``, ``received``, ``problems``); a full
    refresh deletes only under ``_check_deletions``. ``rejected_pks``: keys of
    records rejected in this batch, whose raw rows a full refresh keeps.
    """
    evidence = evidence or {}
    options = options or LoadOptions()
    table = _ident(spec["table"])
    target = sql.SQL("{}.{}").format(sql.Identifier(RAW), table)
    key_cols = [c for c, _ in spec["columns"]]
    pk = [_ident(c) for c in spec["primary_key"]]
    out = StreamLoad(table=f"{RAW}.{spec['table']}")
    conn.execute(sql.SQL("select pg_advisory_xact_lock(hashtext({}))").format(sql.Literal(out.table)))
    _ensure_table(conn, spec)
    # Files written before `_record_hash` existed lack the column: their rows get it below (merge)
    # or keep it null until the next merge compares their records (first load).
    has_hash = RECORD_HASH in _csv_header(csv_path)
    copy_cols = sql.SQL(", ").join(
        [
            *map(_ident, key_cols),
            *map(sql.Identifier, ["_seq", "_request", *([RECORD_HASH] if has_hash else []), "record"]),
        ]
    )
    conn.execute(
        "select set_config(%s, %s, true), set_config(%s, %s, true)",
        (_BATCH_SETTING, batch_id, _LOADED_AT_SETTING, loaded_at.isoformat()),
    )
    # First load of a stream (empty table): COPY straight into it, one write per row.
    # A key twice in the batch violates the primary key; the savepoint then rolls
    # the COPY back and the batch takes the merge below like any other.
    # Still empty under an exclusive lock, the table is truncated (it holds nothing) so
    # that the COPY can FREEZE: rows written frozen and all-visible, so the first scan
    # after it (the next merge, dbt) does not rewrite every page to set hint bits.
    # Readers of that empty table wait for the batch's commit.
    if conn.execute(sql.SQL("select not exists (select 1 from {})").format(target)).fetchone()[0]:
        straight = False
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(sql.SQL("lock table {} in access exclusive mode").format(target))
                if cur.execute(sql.SQL("select not exists (select 1 from {})").format(target)).fetchone()[0]:
                    with _bulk_first_load(cur, target, batch_id, loaded_at):
                        cur.execute(sql.SQL("truncate {}").format(target))
                        out.copied = out.inserted = _copy_file(
                            cur,
                            sql.SQL("copy {} ({}) from stdin (format csv, header true, freeze true)").format(
                                target, copy_cols
                            ),
                            csv_path,
                        )
                    straight = True
            if straight:
                return out
        except psycopg.errors.UniqueViolation:
            log.info("%s: a key occurs more than once in the batch; merging instead", out.table)
            out.copied = out.inserted = 0
    stage = sql.Identifier(f"_stage_{spec['table']}")
    _size_temp_buffers(conn, csv_path)
    # A caller's open transaction may still hold the stage of an earlier load (on commit drop).
    conn.execute(sql.SQL("drop table if exists {}").format(stage))
    # The record is staged as TEXT: parsed as JSON (the larger part of a COPY) only for the rows the
    # merge writes, the new and changed ones; the others are recognised by their `_record_hash`.
    conn.execute(
        sql.SQL(
            "create temp table {stage} ({cols}, _seq bigint, _request text, record text, _record_hash uuid) "
            "on commit drop"
        ).format(
            stage=stage,
            cols=sql.SQL(", ").join(sql.SQL("{} {}").format(_ident(c), _coltype(t)) for c, t in spec["columns"]),
        )
    )
    with conn.cursor() as cur:
        out.copied = _copy_file(
            cur, sql.SQL("copy {} ({}) from stdin (format csv, header true)").format(stage, copy_cols), csv_path
        )
        if not has_hash:
            cur.execute(sql.SQL("update {} set _record_hash = md5(record)::uuid").format(stage))
        # The merge's join and the duplicate check may hash whole batches: give them memory for
        # this transaction only, sized to the batch. (No ANALYZE of the stage: it costs more than
        # it changes; the planner reads the stage's size from its pages.)
        cur.execute(sql.SQL("set local work_mem = {}").format(sql.Literal(_work_mem(csv_path))))
        # The last copy of a key in the batch wins: drop the earlier copies from the stage. A hash
        # aggregate over the keys; with no key twice (the usual case) nothing else is read.
        cur.execute(
            sql.SQL(
                "delete from {stage} s using (select {pk}, max(_seq) as _seq from {stage} group by {pk} "
                "having count(*) > 1) d where {match} and s._seq < d._seq"
            ).format(
                stage=stage,
                pk=sql.SQL(", ").join(pk),
                match=sql.SQL(" and ").join(sql.SQL("s.{c} = d.{c}").format(c=c) for c in pk),
            )
        )
        distinct = out.copied - (cur.rowcount or 0)

        # One pass over the batch (a hash join with the raw table on the key, comparing the 16-byte
        # `_record_hash`) keeps the keys that are new or whose hash differs; an unchanged row is
        # neither written nor locked, so a rerun leaves every row as it was.
        todo = sql.Identifier(f"_todo_{spec['table']}")
        cur.execute(sql.SQL("drop table if exists {}").format(todo))
        cur.execute(
            sql.SQL(
                "create temp table {todo} on commit drop as "
                "select {s_keys}, s.record, s._request, s._seq, s._record_hash, t.{pk0} is null as _missing "
                "from {stage} s left join {target} t on {join} "
                "where t.{pk0} is null or t._record_hash is distinct from s._record_hash"
            ).format(
                todo=todo,
                s_keys=sql.SQL(", ").join(sql.SQL("s.{}").format(_ident(c)) for c in key_cols),
                pk0=pk[0],
                stage=stage,
                target=target,
                join=sql.SQL(" and ").join(sql.SQL("t.{c} = s.{c}").format(c=c) for c in pk),
            )
        )
        cur.execute(sql.SQL("analyze {}").format(todo))
        # Only the rows written are parsed as JSON (`record::jsonb`), in the statements below. A record
        # that does not parse refuses the batch, naming the line and the rule, never the text: a row
        # the merge leaves alone has the text of a stored record, which parsed.
        try:
            with conn.transaction():
                _write_todo(cur, target, todo, key_cols, pk, batch_id, loaded_at, out)
        except psycopg.DataError as exc:
            raise _record_refused(cur, todo, csv_path, exc) from None
        out.unchanged = distinct - out.inserted - out.updated
        if full_refresh:
            rejected = None
            if rejected_pks:
                rejected = sql.Identifier(f"_rejected_{spec['table']}")
                cur.execute(sql.SQL("drop table if exists {}").format(rejected))
                cur.execute(
                    sql.SQL("create temp table {} ({}) on commit drop").format(
                        rejected, sql.SQL(", ").join(sql.SQL("{} text").format(c) for c in pk)
                    )
                )
                with cur.copy(sql.SQL("copy {} from stdin").format(rejected)) as cp:
                    for row in rejected_pks:
                        cp.write_row(row)
            cond = _deletion_cond(pk, stage, rejected)
            # NOT EXISTS in a WHERE (an anti-join), never in an aggregate's FILTER (a subplan per row)
            doomed, existing = cur.execute(
                sql.SQL(
                    "select (select count(*) from {target} t where {cond}), (select count(*) from {target})"
                ).format(cond=cond, target=target)
            ).fetchone()
            _check_deletions(evidence, out.table, doomed, existing - out.inserted, options)
            if doomed:
                cur.execute(sql.SQL("delete from {target} t where {cond}").format(target=target, cond=cond))
                out.deleted = cur.rowcount
    return out


def _write_todo(
    cur: psycopg.Cursor,
    target: sql.Composable,
    todo: sql.Identifier,
    key_cols: list[str],
    pk: list[sql.Identifier],
    batch_id: str,
    loaded_at: dt.datetime,
    out: StreamLoad,
) -> None:
    """Write the merge's to-do table (new rows and rows whose hash differs) into the raw table."""
    t_d = sql.SQL(" and ").join(sql.SQL("t.{c} = d.{c}").format(c=c) for c in pk)
    # A differing hash does not prove a change (the same record with its keys in another order, a
    # row stored before `_record_hash` existed): those rows compare their records. An equal record
    # keeps its row, batch id and load time; only its hash is written, so the next merge skips it.
    cur.execute(
        sql.SQL(
            "with same as (delete from {todo} d using {target} t where not d._missing and {t_d} "
            "and t.record = d.record::jsonb returning {d_keys}, d._record_hash) "
            "update {target} t set _record_hash = d._record_hash from same d where {t_d}"
        ).format(
            todo=todo,
            target=target,
            t_d=t_d,
            d_keys=sql.SQL(", ").join(sql.SQL("d.{}").format(c) for c in pk),
        )
    )
    all_cols = [
        *map(_ident, key_cols),
        *map(sql.Identifier, ["record", "_request", "_seq", "_record_hash", "_batch_id", "_loaded_at"]),
    ]
    pk_names = {p.as_string() for p in pk}
    updatable = [c for c in all_cols if c.as_string() not in pk_names]
    source_of = {
        '"record"': sql.SQL("d.record::jsonb"),
        '"_batch_id"': sql.Placeholder("batch"),
        '"_loaded_at"': sql.Placeholder("at"),
    }
    cur.execute(
        sql.SQL("update {target} t set ({upd}) = row({vals}) from {todo} d where not d._missing and {join}").format(
            target=target,
            upd=sql.SQL(", ").join(updatable),
            vals=sql.SQL(", ").join(source_of.get(c.as_string(), sql.SQL("d.{}").format(c)) for c in updatable),
            todo=todo,
            join=t_d,
        ),
        {"batch": batch_id, "at": loaded_at},
    )
    out.updated = cur.rowcount or 0
    cur.execute(
        sql.SQL(
            "insert into {target} ({all_cols}) "
            "select {keys}, record::jsonb, _request, _seq, _record_hash, %(batch)s, %(at)s from {todo} where _missing"
        ).format(
            target=target,
            all_cols=sql.SQL(", ").join(all_cols),
            keys=sql.SQL(", ").join(map(_ident, key_cols)),
            todo=todo,
        ),
        {"batch": batch_id, "at": loaded_at},
    )
    out.inserted = cur.rowcount or 0


def _record_refused(cur: psycopg.Cursor, todo: sql.Identifier, csv_path: Path, exc: psycopg.Error) -> LoadError:
    """The error for a record the merge could not write: its line and the rule, never its text."""
    bad = cur.execute(
        sql.SQL(
            "select d._seq, e.message, e.sql_error_code from {todo} d, pg_input_error_info(d.record, 'jsonb') e "
            "where e.message is not null order by d._seq limit 1"
        ).format(todo=todo)
    ).fetchone()
    if bad:
        at = f"line {bad[0] + 1}" if bad[0] is not None else "a line"
        return LoadError(f"{csv_path.name}: COPY refused {at}, column record: {bad[1]} [{bad[2]}]")
    return LoadError(f"{csv_path.name}: merge refused: {exc.diag.message_primary} [{exc.diag.sqlstate}]")


def _deletion_cond(pk: list[sql.Identifier], stage: sql.Identifier, rejected: sql.Identifier | None) -> sql.Composable:
    match = sql.SQL("not exists (select 1 from {stage} s where {cond})").format(
        stage=stage, cond=sql.SQL(" and ").join(sql.SQL("s.{c} = t.{c}").format(c=c) for c in pk)
    )
    if rejected is None:
        return match
    return sql.SQL("{} and not exists (select 1 from {rej} r where {cond})").format(
        match, rej=rejected, cond=sql.SQL(" and ").join(sql.SQL("r.{c} = t.{c}::text").format(c=c) for c in pk)
    )


def _read_rejects(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _quarantine(
    conn: psycopg.Connection, source: str, stream: str, rejects: list[dict], batch_id: str, at: dt.datetime
) -> int:
    rows = []
    for r in rejects:
        rec = json.dumps(r.get("record"), ensure_ascii=False, sort_keys=True)
        rows.append(
            (
                source,
                stream,
                r["key"],
                r["reason"],
                hashlib.sha256(rec.encode()).hexdigest(),
                rec.replace("\\u0000", ""),
                r.get("request"),
                batch_id,
                batch_id,
                at,
                at,
                r.get("action") or "rejected",
            )
        )
    if rows:
        with conn.cursor() as cur:
            cur.executemany(
                f"""insert into {RAW}._quarantine (source, stream, record_key, reason, record_hash, record, request,
                        first_batch_id, last_batch_id, first_seen_at, last_seen_at, action)
                    values (%s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s)
                    on conflict (source, stream, record_key, reason, record_hash) do update
                    set last_batch_id = excluded.last_batch_id, last_seen_at = excluded.last_seen_at,
                        resolved_at = null, resolved_batch_id = null,
                        times_seen = {RAW}._quarantine.times_seen
                                     + (case when {RAW}._quarantine.last_batch_id = excluded.last_batch_id then 0 else 1 end)""",
                rows,
            )
    return len(rows)


def _resolve_quarantine(
    conn: psycopg.Connection, source: str, stream: str, spec: dict, batch_id: str, at: dt.datetime
) -> int:
    """Close the open entries of ``stream`` whose key this batch loaded valid (and did not quarantine again)."""
    key_cols = spec["primary_key"]
    target = sql.SQL("{}.{}").format(sql.Identifier(RAW), _ident(spec["table"]))
    # Usually nothing is open: then skip the scan of the raw table for this batch's rows.
    if not conn.execute(
        f"select exists (select 1 from {RAW}._quarantine where source = %s and stream = %s and resolved_at is null)",
        (source, stream),
    ).fetchone()[0]:
        return 0
    cur = conn.execute(
        sql.SQL(
            """update {q} q set resolved_at = %(at)s, resolved_batch_id = %(batch)s
               where q.source = %(source)s and q.stream = %(stream)s and q.resolved_at is null
                 and q.last_batch_id <> %(batch)s
                 and q.record_key in (select {key} from {target} t where t._batch_id = %(batch)s)"""
        ).format(q=sql.SQL(f"{RAW}._quarantine"), key=_key_text(key_cols, "t"), target=target),
        {"at": at, "batch": batch_id, "source": source, "stream": stream},
    )
    return cur.rowcount or 0


def load_batch(conn: psycopg.Connection, manifest_path: str | Path, options: LoadOptions | None = None) -> LoadResult:
    """Load every stream of a committed batch in one transaction.

    Refuses the whole batch (``CompletenessError``) when a stream's listing is known
    to be incomplete, or a full refresh would delete rows without proof.
    """
    m = read_manifest(manifest_path)
    folder = Path(m["folder"])
    loaded_at = dt.datetime.now(dt.UTC)
    options = options or LoadOptions.from_env()
    ensure_meta(conn)
    result = LoadResult(m["batch_id"], m["source"])
    for name, s in m["streams"].items():
        if s.get("complete") is False and not options.force_deletions:
            raise CompletenessError(
                f"{m['source']}.{name}: the extract is incomplete: {'; '.join(s.get('problems') or [])} "
                f"(expected {s.get('expected')}, received {s.get('received')}). Nothing was loaded or deleted; "
                f"the next run reads the window again. Override with --force-deletions / force_deletions=true."
            )
    with conn.transaction():
        try:
            # Errors in the server's log name no record text (CONTEXT would quote the COPY line).
            with conn.transaction():
                conn.execute("set local log_error_verbosity = terse")
        except psycopg.Error:
            pass  # not a superuser: the server's own setting applies
        for name, s in m["streams"].items():
            spec = s["spec"]
            rejects = _read_rejects(folder / s["rejects_file"])
            evidence = {k: s.get(k) for k in ("complete", "expected", "received", "problems")}
            evidence.update(source=m["source"], stream=name)
            sl = load_stream(
                conn,
                spec,
                folder / s["file"],
                m["batch_id"],
                loaded_at,
                s.get("full_refresh", False),
                evidence=evidence,
                options=options,
                rejected_pks=[r["pk"] for r in rejects if r.get("pk")],
            )
            sl.cleaned = s.get("cleaned", 0)
            sl.quarantined = _quarantine(conn, m["source"], name, rejects, m["batch_id"], loaded_at)
            sl.resolved = _resolve_quarantine(conn, m["source"], name, spec, m["batch_id"], loaded_at)
            if s.get("watermark"):
                conn.execute(
                    f"""insert into {RAW}._watermarks (source, stream, watermark, batch_id, updated_at)
                        values (%s, %s, %s, %s, %s)
                        on conflict (source, stream) do update
                        set watermark = greatest({RAW}._watermarks.watermark, excluded.watermark),
                            batch_id = excluded.batch_id, updated_at = excluded.updated_at""",
                    (m["source"], name, s["watermark"], m["batch_id"], loaded_at),
                )
                sl.watermark = s["watermark"]
            result.streams[name] = sl
        conn.execute(
            f"""insert into {RAW}._batches (batch_id, source, window_, streams, requests, loaded_at)
                values (%s, %s, %s, %s, %s, %s)
                on conflict (batch_id) do update set streams = excluded.streams, loaded_at = excluded.loaded_at""",
            (
                m["batch_id"],
                m["source"],
                json.dumps(m.get("window", {})),
                json.dumps(result.summary()),
                m.get("requests"),
                loaded_at,
            ),
        )
    for name, sl in result.streams.items():
        log.info(
            "%s.%s -> %s: %d inserted, %d updated, %d unchanged, %d deleted, %d quarantined, %d resolved, %d cleaned",
            m["source"],
            name,
            sl.table,
            sl.inserted,
            sl.updated,
            sl.unchanged,
            sl.deleted,
            sl.quarantined,
            sl.resolved,
            sl.cleaned,
        )
    return result


def get_watermark(conn: psycopg.Connection, source: str, stream: str) -> dt.datetime | None:
    ensure_meta(conn)
    row = conn.execute(
        f"select watermark from {RAW}._watermarks where source = %s and stream = %s", (source, stream)
    ).fetchone()
    return row[0] if row else None
