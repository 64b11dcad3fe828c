"""Loader throughput against raw ``COPY`` and ``pandas.DataFrame.to_sql``, on the same rows, in one run.

    python -m bench.loader [--rows 1000000] [--repeat 3] [--to-sql-rows 200000] [--url URL] [--profile]
                           [--peer dlt [--peer-format F]]

1. Writes TWO batches of N Deskpro-ticket-like records with ``Batch`` (the same CSV
   row shape as ``TicketsStream``: ``id bigint``, ``date_status timestamptz``,
   ``_seq``, ``_request``, ``record`` JSON): the first load, and the daily batch, the
   same N tickets of which 1 % (every 100th id) moved on (new status, ``date_status``
   an hour later). That is what a daily Deskpro/WhatsApp run loads: the window plus
   a lookback re-read, so most of the batch is already in ``raw``, unchanged. The
   extract side is timed once, reported as "batch write" for information only.
2. Per repeat, each in a database of its own created for it (so ``raw`` is fresh):
   - loader: ``load_batch`` of the first batch into an empty ``raw`` (a first load:
     COPY straight into the raw table, primary key included; watermark,
     ``_batches``), then the daily batch (the merge path: COPY into a temp table,
     merge by key; 1 % updated, 99 % unchanged), then the daily batch again (every
     row unchanged: the idempotent re-run);
   - raw COPY: each batch's CSV streamed with psycopg ``cursor.copy(... (format csv,
     header true))`` into a plain table with the same columns and types as the
     loader's staging table (no temp table, no merge, no primary key);
   - ``DataFrame.to_sql`` (SQLAlchemy ``postgresql+psycopg``, ``method=None``,
     ``chunksize=10000``, record as text) of the first ``--to-sql-rows`` rows,
     the DataFrame read from the same CSV with ``pandas.read_csv`` beforehand.
   Only the load itself is timed, commit included; a CHECKPOINT and a sync run
   before each timed step so one step's dirty pages are not flushed on the next
   one's clock. Loader and raw COPY alternate which goes first in each repeat.
3. ``--peer dlt``: the same two CSVs through dlt's Postgres destination
   (``write_disposition="merge"``, ``primary_key="id"``, ``record`` as json), once,
   in a database of its own on the same server, run by ``bench/loader_peer.py`` in
   ``.venv-bench`` (``make bench-install``; dlt is never a dependency of the product).
4. Prints the median rows/s of each, the ratios to raw COPY of the same batch and
   whether the first load and the daily merge reach ``TARGET`` (80 %) of raw COPY.
   The exit code is always 0.

The warehouse is a throwaway embedded PostgreSQL (fsync off, as in the tests),
destroyed at the end, unless ``--url`` or ``WAREHOUSE_URL`` names a server; there
the role needs CREATEDB: the benchmark creates and drops databases of its own
(``bench_<pid>_...``) and never touches an existing ``raw`` schema.

``--profile`` adds a breakdown of the loader's merge (EXPLAIN ANALYZE and a few
variants run on copies of the staged data); it never changes ``loaders/``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from extractors.common.batch import Batch
from extractors.deskpro.streams import TicketsStream
from loaders.postgres import load_batch

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="djpk-xdg-"))  # as tests/conftest.py does

TARGET = 0.80
CHANGED_EVERY = 100  # the daily batch: every 100th ticket changed (1 %)
SOURCE = "deskpro"
TO_SQL_CHUNKSIZE = 10_000
COPY_CHUNK = 1 << 20  # the loader streams the file in 1 MiB chunks; so does the baseline
REQUEST = "GET /tickets?order_by=date_status&order_dir=desc&include=person%2Corganization&page={page}&count=200"

# --------------------------------------------------------------------------- records

_TOPICS = (
    "Penyaluran DAU",
    "Penyaluran DAK Fisik",
    "Dana Desa",
    "Dana Bagi Hasil",
    "SIKD",
    "Hibah ke Daerah",
    "Dana Insentif Fiskal",
    "Pajak Daerah dan Retribusi",
    "Pinjaman Daerah",
    "APBD",
)
_REGIONS = (
    "Kab. Bogor",
    "Kota Surabaya",
    "Prov. Jawa Tengah",
    "Kab. Sleman",
    "Kota Makassar",
    "Kab. Deli Serdang",
    "Prov. Papua",
    "Kab. Badung",
    "Kota Kupang",
    "Kab. Aceh Besar",
)
_PHRASES = (
    "mohon informasi status",
    "belum diterima",
    "pertanyaan terkait regulasi",
    "permintaan data",
    "kendala aplikasi",
    "konfirmasi jadwal",
)
_SYSTEMS = (("gateway.email", 1), ("web.person.portal", 2), ("interface.agent", 3), ("web.chat", 4))
_TS = "%Y-%m-%dT%H:%M:%S+0000"  # Deskpro's format
_BASE = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)


def ticket(rng: random.Random, i: int) -> tuple[dict, dt.datetime]:
    """A realistic Deskpro ticket (16 fields, about 520 bytes of JSON) and its ``date_status``."""
    created = _BASE + dt.timedelta(seconds=i * 90 + rng.randrange(90))
    reply = created + dt.timedelta(seconds=rng.randrange(300, 2 * 86400))
    roll = rng.random()
    status = "resolved" if roll < 0.9 else "awaiting_user" if roll < 0.95 else "awaiting_agent"
    resolved = reply + dt.timedelta(seconds=rng.randrange(600, 3 * 86400)) if status == "resolved" else None
    status_at = resolved or reply
    system, department = _SYSTEMS[rng.randrange(len(_SYSTEMS))]
    topic, region = _TOPICS[rng.randrange(len(_TOPICS))], _REGIONS[rng.randrange(len(_REGIONS))]
    org = rng.randrange(1, 600)
    record = {
        "id": i,
        "ref": "-".join(
            "".join(rng.choices(chars, k=4))
            for chars in (string.ascii_uppercase, string.digits, string.ascii_uppercase)
        ),
        "subject": f"{topic} {region} - {_PHRASES[rng.randrange(len(_PHRASES))]}",
        "status": status,
        "department": department,
        "agent": rng.randrange(1, 40),
        "person": rng.randrange(1, 250_000),
        "organization": org if org < 400 else None,
        "creation_system": system,
        "language": 1,
        "date_created": created.strftime(_TS),
        "date_first_agent_reply": reply.strftime(_TS),
        "date_resolved": resolved.strftime(_TS) if resolved else None,
        "date_status": status_at.strftime(_TS),
        "feedback_rating": rng.randrange(1, 6) if status == "resolved" and rng.random() < 0.35 else None,
        "fields": {"12": {"aliases": [], "value": region}, "13": {"aliases": [], "value": topic}},
    }
    return record, status_at


def write_batch(root: Path, n: int, seed: int, changed_every: int = 0) -> Batch:
    """One committed batch of ``n`` tickets, newest first like the API pages them.

    ``changed_every=k``: the same tickets as with ``0`` (same seed), except that every k-th
    (id divisible by k) moved on since: a new status an hour after its last one. With 100,
    1 % of the batch changed: the daily batch of the benchmark."""
    rng = random.Random(seed)
    batch = Batch(root, SOURCE)
    batch.window = {"since": None, "until": None, "note": "bench.loader synthetic batch"}
    out = batch.stream(TicketsStream.name, TicketsStream.spec(), False)
    watermark: dt.datetime | None = None
    for k, i in enumerate(range(n, 0, -1)):
        record, status_at = ticket(rng, i)
        if changed_every and i % changed_every == 0:
            status_at += dt.timedelta(hours=1)
            record["status"] = "awaiting_agent" if record["status"] == "resolved" else "resolved"
            record["date_status"] = status_at.strftime(_TS)
        out.write([i, status_at], record, REQUEST.format(page=k // 200 + 1))
        if watermark is None or status_at > watermark:
            watermark = status_at
    out.result.pages = (n + 199) // 200
    out.result.watermark = watermark.isoformat() if watermark else None
    batch.requests = out.result.pages
    batch.commit()
    return batch


# --------------------------------------------------------------------------- server and databases


def _driverless(url: str) -> str:
    p = urlsplit(url)
    scheme = p.scheme.split("+", 1)[0]
    return urlunsplit(("postgresql" if scheme == "postgres" else scheme, p.netloc, p.path, p.query, p.fragment))


def _with_db(url: str, db: str, driver: str | None = None) -> str:
    p = urlsplit(url)
    scheme = f"{p.scheme}+{driver}" if driver else p.scheme
    return urlunsplit((scheme, p.netloc, "/" + db, p.query, ""))


@contextlib.contextmanager
def warehouse(url: str | None) -> Iterator[tuple[str, str]]:
    """(admin URL, description): the given server, or a throwaway embedded one."""
    if url:
        yield _driverless(url), "given server (--url / WAREHOUSE_URL)"
        return
    from warehouse.embedded import EmbeddedPostgres

    home = Path(tempfile.mkdtemp(prefix="bench-warehouse-"))
    pg = EmbeddedPostgres(home, fsync=False)
    try:
        info = pg.start()
        yield info.url("postgres"), "throwaway embedded PostgreSQL (fsync off), destroyed at the end"
    finally:
        pg.destroy()
        shutil.rmtree(home, ignore_errors=True)


class Databases:
    def __init__(self, admin_url: str):
        self.admin = admin_url
        self.prefix = f"bench_{os.getpid()}"

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin, autocommit=True)

    @contextlib.contextmanager
    def fresh(self, kind: str, repeat: int) -> Iterator[str]:
        """A database created for one measurement and dropped after it."""
        name = f"{self.prefix}_{kind}_{repeat}"
        ident = sql.Identifier(name)
        with self._admin() as c:
            c.execute(sql.SQL("drop database if exists {} with (force)").format(ident))
            c.execute(sql.SQL("create database {}").format(ident))
        try:
            yield _with_db(self.admin, name)
        finally:
            with self._admin() as c:
                c.execute(sql.SQL("drop database if exists {} with (force)").format(ident))

    def checkpoint(self) -> None:
        """Before each timed step: flush the server's dirty pages, then the OS's, so no step pays for the last."""
        with contextlib.suppress(psycopg.Error), self._admin() as c:
            c.execute("checkpoint")
        os.sync()

    def server_facts(self) -> dict[str, str]:
        with self._admin() as c:
            names = (
                "server_version",
                "shared_buffers",
                "work_mem",
                "temp_buffers",
                "maintenance_work_mem",
                "fsync",
                "synchronous_commit",
                "max_wal_size",
            )
            return {n: c.execute(sql.SQL("show {}").format(sql.Identifier(n))).fetchone()[0] for n in names}


# --------------------------------------------------------------------------- timing the loader's statements

_PHASES: dict[str, float] = {}
_CAPTURED: dict[str, tuple[str, object]] = {}
_MERGE: list[tuple[str, object]] = []  # the merge's statements, in order, of the last load_batch


def _phase_of(text: str) -> str:
    s = text.lstrip().lower()
    if s.startswith("copy"):
        return "copy"
    if s.startswith(
        (
            "with latest",
            "with same as",
            'create temp table "_todo_',
            "select d._seq",
            'update "raw".',
            'insert into "raw".',
        )
    ):
        return "merge"
    return "other"


class _TimingCursor(psycopg.Cursor):
    """Adds each statement's wall time to ``_PHASES`` (COPY into temp / merge / other).

    Read-only instrumentation from the outside: ``load_batch`` runs unchanged.
    """

    def _note(self, query: object, params: object, seconds: float) -> None:
        text = query.as_string(self.connection) if isinstance(query, sql.Composable) else str(query)
        phase = _phase_of(text)
        _PHASES[phase] = _PHASES.get(phase, 0.0) + seconds
        if phase == "copy":
            _CAPTURED[phase] = (text, params)
        elif phase == "merge":
            _MERGE.append((text, params))

    def execute(self, query, params=None, **kw):  # type: ignore[override]
        t = time.perf_counter()
        try:
            return super().execute(query, params, **kw)
        finally:
            self._note(query, params, time.perf_counter() - t)

    @contextlib.contextmanager
    def copy(self, statement, params=None, **kw):  # type: ignore[override]
        t = time.perf_counter()
        try:
            with super().copy(statement, params, **kw) as cp:
                yield cp
        finally:
            self._note(statement, params, time.perf_counter() - t)


# --------------------------------------------------------------------------- measurements


def _copy_columns() -> list[tuple[str, str]]:
    """The batch file's columns for tickets, in its order, typed as the raw table types them: typed keys,
    ``_seq``, ``_request``, ``_record_hash`` (uuid), ``record`` (jsonb). The raw COPY baseline's table."""
    return [
        *TicketsStream.spec().columns,
        ("_seq", "bigint"),
        ("_request", "text"),
        ("_record_hash", "uuid"),
        ("record", "jsonb"),
    ]


def copy_file(conn: psycopg.Connection, table: sql.Composable, columns: list[str], csv_path: Path) -> int:
    with conn.cursor() as cur:
        stmt = sql.SQL("copy {} ({}) from stdin (format csv, header true)").format(
            table, sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with cur.copy(stmt) as cp, open(csv_path, "rb") as fh:
            while chunk := fh.read(COPY_CHUNK):
                cp.write(chunk)
        return cur.rowcount


def measure_loader(dbs: Databases, r: int, folder: Path, n: int, daily: Path, changed: int) -> dict[str, float]:
    with dbs.fresh("loader", r) as url, psycopg.connect(url, cursor_factory=_TimingCursor) as conn:
        dbs.checkpoint()
        _PHASES.clear()
        _MERGE.clear()
        t = time.perf_counter()
        res = load_batch(conn, folder)
        first = time.perf_counter() - t
        phases = dict(_PHASES)
        s = res.streams["tickets"]
        if (s.inserted, s.updated) != (n, 0):
            raise RuntimeError(f"loader: expected {n} inserted, got {s}")
        dbs.checkpoint()
        _PHASES.clear()
        _MERGE.clear()
        t = time.perf_counter()
        res = load_batch(conn, daily)
        day = time.perf_counter() - t
        daily_phases = dict(_PHASES)
        s = res.streams["tickets"]
        if (s.inserted, s.updated, s.unchanged) != (0, changed, n - changed):
            raise RuntimeError(f"loader daily merge: expected {changed} updated, {n - changed} unchanged, got {s}")
        dbs.checkpoint()
        _PHASES.clear()
        _MERGE.clear()
        t = time.perf_counter()
        res = load_batch(conn, daily)
        rerun = time.perf_counter() - t
        rerun_phases = dict(_PHASES)
        s = res.streams["tickets"]
        if (s.inserted, s.updated, s.unchanged) != (0, 0, n):
            raise RuntimeError(f"loader re-run: expected {n} unchanged, got {s}")
    return {
        "daily": day,
        "daily_copy": daily_phases.get("copy", 0.0),
        "daily_merge": daily_phases.get("merge", 0.0),
        "loader": first,
        "loader_copy": phases.get("copy", 0.0),
        "loader_merge": phases.get("merge", 0.0),
        "loader_other": first - phases.get("copy", 0.0) - phases.get("merge", 0.0),
        "rerun": rerun,
        "rerun_copy": rerun_phases.get("copy", 0.0),
        "rerun_merge": rerun_phases.get("merge", 0.0),
    }


def measure_copy(dbs: Databases, r: int, csv_path: Path, n: int, kind: str = "copy") -> float:
    cols = _copy_columns()
    with dbs.fresh(kind, r) as url, psycopg.connect(url) as conn:
        conn.execute(
            sql.SQL("create table tickets ({})").format(
                sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in cols)
            )
        )
        conn.commit()
        dbs.checkpoint()
        t = time.perf_counter()
        copied = copy_file(conn, sql.Identifier("tickets"), [c for c, _ in cols], csv_path)
        conn.commit()
        elapsed = time.perf_counter() - t
        if copied != n:
            raise RuntimeError(f"raw COPY: expected {n} rows, got {copied}")
    return elapsed


def read_frame(csv_path: Path, nrows: int):
    import pandas as pd

    return pd.read_csv(
        csv_path,
        nrows=nrows,
        parse_dates=["date_status"],
        dtype={"id": "int64", "_seq": "int64", "_request": str, "record": str},
    )


def measure_to_sql(dbs: Databases, r: int, df) -> float:
    from sqlalchemy import create_engine, text

    with dbs.fresh("to_sql", r) as url:
        engine = create_engine(_with_db(url, urlsplit(url).path.lstrip("/"), driver="psycopg"))
        try:
            dbs.checkpoint()
            t = time.perf_counter()
            df.to_sql("tickets", engine, index=False, if_exists="fail", method=None, chunksize=TO_SQL_CHUNKSIZE)
            elapsed = time.perf_counter() - t
            with engine.connect() as c:
                got = c.execute(text("select count(*) from tickets")).scalar_one()
        finally:
            engine.dispose()
    if got != len(df):
        raise RuntimeError(f"to_sql: expected {len(df)} rows, got {got}")
    return elapsed


def measure_dlt(dbs: Databases, first: Path, daily: Path, fmt: str | None) -> dict[str, dict]:
    """dlt's Postgres destination on the same CSVs, in ``BENCH_VENV`` (bench/loader_peer.py), one run."""
    python = Path(os.environ.get("BENCH_VENV", Path(__file__).resolve().parent.parent / ".venv-bench")) / "bin/python"
    if not python.exists():
        raise SystemExit(f"--peer dlt needs {python}: run `make bench-install` first")
    with dbs.fresh("dlt", 0) as url:
        dbs.checkpoint()
        cmd = [str(python), str(Path(__file__).with_name("loader_peer.py")), "--url", url, "--first", str(first)]
        cmd += ["--daily", str(daily)] + (["--format", fmt] if fmt else [])
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"dlt peer failed ({done.returncode}):\n{done.stderr[-3000:]}")
    runs = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {r["run"]: r for r in runs}


# --------------------------------------------------------------------------- profile (--profile)


def profile(dbs: Databases, csv_path: Path, n: int, copy_s: float, repeat: int) -> None:
    """Where the loader's time goes: each step of its work alone, and variants of the merge.

    Runs in a database of its own on the same CSV; ``loaders/`` is untouched. Every line
    is the median of ``repeat`` runs. The merge variants are written for the tickets
    table and assume no key repeats in the batch (true here); the loader's own merge is
    replayed from the exact SQL it ran.
    """
    merge_sql = [text for text, _ in _MERGE]  # the loader's merge statements, as it ran them
    merge_params = next(p for _, p in _MERGE if p)
    spec = TicketsStream.spec()
    stage, target = f"_stage_{spec.table}", f"raw.{spec.table}"
    cols = _copy_columns()
    names = [c for c, _ in cols]

    def defs(record_type: str = "jsonb") -> sql.Composable:
        return sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(record_type if c == "record" else t)) for c, t in cols
        )

    raw_cols = "id, date_status, record, _request, _record_hash, _batch_id, _loaded_at"
    upd = "(date_status, record, _request, _batch_id, _loaded_at)"
    raw_ddl = (
        f"create schema raw; create table {target} (id bigint, date_status timestamptz, record jsonb not null, "
        "_request text, _batch_id text not null, _loaded_at timestamptz not null, _seq bigint, _record_hash uuid{pk})"
    )
    plain_insert = (
        f"insert into {target} ({raw_cols}) select id, date_status, record::jsonb, _request, _record_hash, %(batch)s, "
        f"%(at)s from {stage}"
    )
    on_conflict = (
        f"{plain_insert} on conflict (id) do update set {upd} = row(excluded.date_status, excluded.record, "
        f"excluded._request, excluded._batch_id, excluded._loaded_at) "
        f"where {target}.record is distinct from excluded.record"
    )
    update_changed = (
        f"update {target} t set {upd} = row(s.date_status, s.record::jsonb, s._request, %(batch)s, %(at)s) "
        f"from {stage} s where t.id = s.id and t.record is distinct from s.record::jsonb"
    )
    insert_missing = (
        f"insert into {target} ({raw_cols}) select id, date_status, record::jsonb, _request, _record_hash, "
        f"%(batch)s, %(at)s from {stage} s where not exists (select 1 from {target} t where t.id = s.id)"
    )
    dup_check = f"select id from {stage} group by id having count(*) > 1 limit 1"

    results: list[tuple[str, str, list[float]]] = []

    def record(section: str, label: str, seconds: float) -> None:
        for s, lab, runs in results:
            if (s, lab) == (section, label):
                runs.append(seconds)
                return
        results.append((section, label, [seconds]))

    def run(conn: psycopg.Connection, statements: list[str]) -> float:
        t = time.perf_counter()
        for s in statements:
            conn.execute(s, merge_params if "%(" in s else None)
        conn.commit()
        return time.perf_counter() - t

    def fresh_raw(conn: psycopg.Connection, pk: bool = True) -> None:
        conn.execute("drop schema if exists raw cascade")
        conn.execute(raw_ddl.format(pk=", primary key (id)" if pk else ""))
        conn.commit()

    print(f"\nProfile (--profile): median of {repeat} runs each, same CSV, in a database of its own", flush=True)
    with dbs.fresh("profile", 0) as url:
        # -- 1. staging alone ------------------------------------------------------------
        s1 = "1. staging: COPY of the whole file"
        for _r in range(repeat):
            for kind, temp_buffers in (("jsonb", None), ("jsonb", "2GB"), ("text", "2GB")):
                with psycopg.connect(url) as conn:  # temp_buffers: only before the session's first temp table
                    if temp_buffers:
                        conn.execute(sql.SQL("set temp_buffers = {}").format(sql.Literal(temp_buffers)))
                    conn.execute(
                        sql.SQL("create temp table {} ({}) on commit drop").format(sql.Identifier(stage), defs(kind))
                    )
                    dbs.checkpoint()
                    t = time.perf_counter()
                    copy_file(conn, sql.Identifier(stage), names, csv_path)
                    conn.commit()
                    record(
                        s1,
                        f"into a temp table, record {kind} (temp_buffers={temp_buffers or 'default 8MB'})"
                        + (": the loader's stage" if kind == "text" else ""),
                        time.perf_counter() - t,
                    )
            with psycopg.connect(url) as conn:
                for kind in ("jsonb", "text"):
                    conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier(f"copy_{kind}")))
                    conn.execute(sql.SQL("create table {} ({})").format(sql.Identifier(f"copy_{kind}"), defs(kind)))
                    conn.commit()
                    dbs.checkpoint()
                    t = time.perf_counter()
                    copy_file(conn, sql.Identifier(f"copy_{kind}"), names, csv_path)
                    conn.commit()
                    record(
                        s1,
                        f"into a plain table, record {kind} (no PK: the raw COPY baseline)"
                        if kind == "jsonb"
                        else f"into a plain table, record {kind}",
                        time.perf_counter() - t,
                    )
        with psycopg.connect(url) as conn:
            conn.execute("drop table copy_jsonb")
            conn.execute("alter table copy_text rename to staged")  # the loader stages the record as text
            conn.commit()

        # -- 2. load_batch's two steps, replayed in one transaction -----------------------
        s2 = "2. load_batch's two steps replayed in ONE transaction, as it runs them"
        for _r in range(repeat):
            with psycopg.connect(url) as conn:
                fresh_raw(conn)
                conn.execute(
                    sql.SQL("create temp table {} ({}) on commit drop").format(sql.Identifier(stage), defs("text"))
                )
                dbs.checkpoint()
                t = time.perf_counter()
                copy_file(conn, sql.Identifier(stage), names, csv_path)
                record(s2, "COPY into the temp table", time.perf_counter() - t)
                t = time.perf_counter()
                for statement in merge_sql:
                    conn.execute(statement, merge_params if "%(" in statement else None)
                record(s2, "the loader's merge (exact SQL), right after, same transaction", time.perf_counter() - t)
                conn.commit()

        # -- 3./4. merge variants from a committed stage ----------------------------------
        def variant(
            section: str,
            label: str,
            statements: list[str],
            *,
            pk: bool = True,
            filled: bool = False,
            setup: tuple[str, ...] = (),
            explain: bool = False,
        ) -> None:
            """Stage (a temp copy of the COPY'd data) -> raw table (empty, or already holding the batch)."""
            for _ in range(1 if explain else repeat):
                with psycopg.connect(url) as conn:
                    fresh_raw(conn, pk)
                    conn.execute(sql.SQL("create temp table {} as select * from staged").format(sql.Identifier(stage)))
                    conn.execute(sql.SQL("analyze {}").format(sql.Identifier(stage)))
                    if filled:
                        conn.execute(plain_insert, merge_params)
                    conn.commit()
                    for s in setup:
                        conn.execute(s)
                    dbs.checkpoint()
                    if explain:
                        print(
                            f"\n  EXPLAIN (ANALYZE, BUFFERS) of the loader's merge into an {'full' if filled else 'empty'} "
                            "raw table:"
                        )
                        for (line,) in conn.execute(
                            "explain (analyze, buffers, costs off) " + statements[0], merge_params
                        ):
                            print("    " + line)
                        conn.rollback()
                        return
                    record(section, label, run(conn, statements))

        variant("", "", merge_sql, explain=True)
        s3 = "3. merge into an EMPTY raw table, from a committed stage"
        variant(s3, "the loader's merge (exact SQL)", merge_sql)
        variant(s3, "the loader's merge, work_mem=1GB", merge_sql, setup=("set work_mem = '1GB'",))
        variant(s3, "INSERT ... ON CONFLICT straight from the stage (no DISTINCT ON, no CTE)", [on_conflict])
        variant(
            s3,
            "UPDATE changed ... FROM stage + INSERT missing (NOT EXISTS), no ON CONFLICT",
            [update_changed, insert_missing],
        )
        variant(s3, "plain INSERT ... SELECT into the table with its PK", [plain_insert])
        variant(s3, "plain INSERT ... SELECT, no PK", [plain_insert], pk=False)
        variant(s3, "duplicate-key check on the stage (keys only, hash aggregate)", [dup_check])
        s4 = "4. merge into a raw table already holding the batch (the re-run path)"
        variant(s4, "the loader's merge (exact SQL)", merge_sql, filled=True)
        variant(s4, "INSERT ... ON CONFLICT straight from the stage", [on_conflict], filled=True)
        variant(
            s4,
            "UPDATE changed ... FROM stage + INSERT missing (NOT EXISTS)",
            [update_changed, insert_missing],
            filled=True,
        )

        # -- 5. no stage at all ------------------------------------------------------------
        s5 = "5. no stage: COPY straight into an empty raw table (defaults fill _batch_id/_loaded_at)"
        for _ in range(repeat):
            for label, pk_inline in (("with its PK during the COPY", True), ("PK added after the COPY", False)):
                with psycopg.connect(url) as conn:
                    conn.execute("drop schema if exists raw cascade")
                    conn.execute("create schema raw")
                    conn.commit()
                    dbs.checkpoint()
                    t = time.perf_counter()
                    conn.execute(
                        sql.SQL(
                            "create table {t} (id bigint, date_status timestamptz, _seq bigint, _request text, "
                            "_record_hash uuid, record jsonb not null, _batch_id text not null default {b}, "
                            "_loaded_at timestamptz not null default {a}{pk})"
                        ).format(
                            t=sql.SQL(target),
                            b=sql.Literal(merge_params["batch"]),
                            a=sql.Literal(merge_params["at"]),
                            pk=sql.SQL(", primary key (id)" if pk_inline else ""),
                        )
                    )
                    copy_file(conn, sql.SQL(target), names, csv_path)
                    if not pk_inline:
                        conn.execute(f"alter table {target} add primary key (id)")
                    conn.commit()
                    record(s5, label, time.perf_counter() - t)

    width = max(len(label) for _, label, _ in results) + 2
    print(
        f"\n  {'(median of ' + str(repeat) + ' runs)':<{width}}  {'seconds':>8} {'rows/s':>10} {'x raw COPY':>11}  runs (s)"
    )
    current = None
    for section, label, runs in results:
        if section != current:
            print(f"  {section}")
            current = section
        seconds = statistics.median(runs)
        print(
            f"  {'  ' + label:<{width}}  {seconds:8.2f} {n / seconds:>10,.0f} {seconds / copy_s:>11.2f}  "
            + ", ".join(f"{s:.2f}" for s in runs)
        )


# --------------------------------------------------------------------------- report


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _fmt_rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.loader", description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows in the batch (default 1,000,000)")
    ap.add_argument("--repeat", type=int, default=3, help="measurements per method; the median is reported")
    ap.add_argument(
        "--to-sql-rows",
        type=int,
        default=200_000,
        help="rows (a prefix of the batch) for pandas to_sql, which is slow (default 200,000; 0 skips)",
    )
    ap.add_argument(
        "--url",
        default=os.environ.get("WAREHOUSE_URL"),
        help="a server to use instead of a throwaway embedded one (default: $WAREHOUSE_URL); needs CREATEDB",
    )
    ap.add_argument("--seed", type=int, default=20240101, help="seed of the synthetic tickets")
    ap.add_argument(
        "--profile", action="store_true", help="also break the loader's time down (EXPLAIN ANALYZE, variants)"
    )
    ap.add_argument(
        "--peer",
        choices=["dlt"],
        help="also load the same batches with dlt's Postgres destination (merge, primary key id), "
        "once, in .venv-bench (make bench-install; BENCH_VENV names another)",
    )
    ap.add_argument("--peer-format", default=None, help="dlt's loader_file_format (default: insert_values)")
    args = ap.parse_args(argv)
    n, repeat = args.rows, max(1, args.repeat)
    to_sql_rows = max(0, min(args.to_sql_rows, n))

    work = Path(tempfile.mkdtemp(prefix="bench-loader-"))
    try:
        print(f"bench.loader: {n:,} rows, repeat {repeat} (median reported), to_sql on {to_sql_rows:,} rows")
        print(
            f"python {platform.python_version()}, psycopg {psycopg.__version__}, {os.cpu_count()} CPUs, "
            f"load average {_load()} (other processes on the machine skew absolute numbers)"
        )
        t = time.perf_counter()
        batch = write_batch(work / "landing", n, args.seed)
        write_s = time.perf_counter() - t
        csv_path = batch.folder / batch.streams["tickets"].file
        size = csv_path.stat().st_size
        print(
            f"batch {batch.batch_id}: {size / 2**20:,.1f} MiB CSV, {size / n:,.0f} bytes/row, "
            f"written in {write_s:.2f} s"
        )
        day = write_batch(work / "landing", n, args.seed, CHANGED_EVERY)
        day_csv = day.folder / day.streams["tickets"].file
        changed = n // CHANGED_EVERY
        print(f"daily batch {day.batch_id}: the same {n:,} tickets, {changed:,} of them changed (1 %)")

        with warehouse(args.url) as (admin, where):
            dbs = Databases(admin)
            facts = dbs.server_facts()
            print(
                f"warehouse: {where}; PostgreSQL {facts.pop('server_version')}; "
                + ", ".join(f"{k}={v}" for k, v in facts.items())
            )
            runs: dict[str, list[float]] = {}
            for r in range(repeat):
                steps: list[tuple[str, Callable[[], object]]] = [
                    ("loader", lambda r=r: measure_loader(dbs, r, batch.folder, n, day.folder, changed)),
                    ("copy", lambda r=r: measure_copy(dbs, r, csv_path, n)),
                    ("copy_daily", lambda r=r: measure_copy(dbs, r, day_csv, n, "copy_daily")),
                ]
                if r % 2:  # alternate the order so neither always runs first
                    steps.reverse()
                for name, step in steps:
                    got = step()
                    for k, v in got.items() if isinstance(got, dict) else [(name, got)]:
                        runs.setdefault(k, []).append(v)
                print(
                    f"  repeat {r + 1}/{repeat}: loader {runs['loader'][-1]:.2f} s, daily merge {runs['daily'][-1]:.2f} s, "
                    f"re-run {runs['rerun'][-1]:.2f} s, raw COPY {runs['copy'][-1]:.2f} s, "
                    f"raw COPY of the daily batch {runs['copy_daily'][-1]:.2f} s, load average {_load()}",
                    flush=True,
                )
            rss_before_pandas = _rss_mib()

            if to_sql_rows:
                t = time.perf_counter()
                df = read_frame(csv_path, to_sql_rows)
                print(f"  DataFrame of {len(df):,} rows read in {time.perf_counter() - t:.2f} s (not timed)")
                for r in range(repeat):
                    runs.setdefault("to_sql", []).append(measure_to_sql(dbs, r, df))
                    print(f"  to_sql {r + 1}/{repeat}: {runs['to_sql'][-1]:.2f} s", flush=True)
                del df
            rss_end = _rss_mib()

            peer = None
            if args.peer == "dlt":
                print(f"  dlt peer (1 run: first load, then the daily batch), load average {_load()}", flush=True)
                peer = measure_dlt(dbs, csv_path, day_csv, args.peer_format)
                for k, v in peer.items():
                    print(f"  dlt {k}: {v['seconds']:.2f} s ({v['rows_in_table']:,} rows in the table)", flush=True)
            print(f"  load average after the measurements: {_load()}")
            med = {k: statistics.median(v) for k, v in runs.items()}
            report(n, to_sql_rows, write_s, runs, med, peer, args.peer_format)
            print(
                f"\nPeak RSS of this process (getrusage ru_maxrss): {rss_before_pandas:,.0f} MiB through batch write, "
                "loader and raw COPY (both stream the file in 1 MiB chunks)"
                + (f"; {rss_end:,.0f} MiB at the end, with the pandas DataFrame and to_sql" if to_sql_rows else "")
                + ". The PostgreSQL server's memory is not included."
            )
            if args.profile:
                profile(dbs, csv_path, n, med["copy"], repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(
    n: int,
    to_sql_rows: int,
    write_s: float,
    runs: dict[str, list[float]],
    med: dict[str, float],
    peer: dict[str, dict] | None = None,
    peer_format: str | None = None,
) -> None:
    copy_rate = n / med["copy"]
    lines = [
        ("batch write (extract side, info only, 1 run)", n, write_s, [write_s]),
        ("raw COPY FROM STDIN (baseline)", n, med["copy"], runs["copy"]),
        ("raw COPY of the daily batch", n, med["copy_daily"], runs["copy_daily"]),
        ("loader load_batch, empty raw table", n, med["loader"], runs["loader"]),
        ("loader daily merge, 1 % changed", n, med["daily"], runs["daily"]),
        ("loader re-run, same batch (all unchanged)", n, med["rerun"], runs["rerun"]),
    ]
    if peer:
        fmt = peer_format or "insert_values"
        lines.append(
            (f"dlt merge ({fmt}), empty dataset (1 run)", n, peer["first"]["seconds"], [peer["first"]["seconds"]])
        )
        lines.append(
            (f"dlt merge ({fmt}), daily, 1 % changed (1 run)", n, peer["daily"]["seconds"], [peer["daily"]["seconds"]])
        )
    if to_sql_rows:
        lines.append((f"pandas to_sql (first {to_sql_rows:,} rows)", to_sql_rows, med["to_sql"], runs["to_sql"]))
    print(f"\nResults ({n:,} rows; median of {len(runs['copy'])}; ratio = rows/s / raw COPY rows/s)\n")
    head = f"{'method':<46} {'rows':>10} {'median s':>9} {'rows/s':>10} {'vs COPY':>8}  runs (s)"
    print(head)
    print("-" * len(head))
    for label, rows, seconds, all_runs in lines:
        ratio = (rows / seconds) / copy_rate
        print(
            f"{label:<46} {rows:>10,} {seconds:>9.2f} {_fmt_rate(rows, seconds):>10} {ratio:>8.2f}  "
            + ", ".join(f"{s:.2f}" for s in all_runs)
        )
    loader_ratio = (n / med["loader"]) / copy_rate
    print(
        f"\nloader first load / raw COPY = {loader_ratio:.2f} (target >= {TARGET:.2f}): "
        + ("TARGET MET" if loader_ratio >= TARGET else "TARGET MISSED")
    )
    per = [c / lo for c, lo in zip(runs["copy"], runs["loader"], strict=False)]
    print("  per repeat (loader and raw COPY ran back to back): " + ", ".join(f"{x:.2f}" for x in per))
    daily_ratio = med["copy_daily"] / med["daily"]
    print(
        f"loader daily merge (1 % of {n:,} changed) / raw COPY of the same batch = {daily_ratio:.2f} "
        f"(target >= {TARGET:.2f}): " + ("TARGET MET" if daily_ratio >= TARGET else "TARGET MISSED")
    )
    per = [c / d for c, d in zip(runs["copy_daily"], runs["daily"], strict=False)]
    print("  per repeat: " + ", ".join(f"{x:.2f}" for x in per))
    print(f"loader re-run / raw COPY of the same batch = {med['copy_daily'] / med['rerun']:.2f}")
    if peer:
        for k, label, base in (("first", "first load", med["copy"]), ("daily", "daily merge", med["copy_daily"])):
            steps = ", ".join(f"{s} {v:.2f} s" for s, v in peer[k]["steps"].items())
            print(f"dlt {label} / raw COPY = {base / peer[k]['seconds']:.2f} ({steps})")
    if to_sql_rows:
        print(
            f"to_sql / raw COPY = {(to_sql_rows / med['to_sql']) / copy_rate:.3f} "
            f"(to_sql ran on the first {to_sql_rows:,} rows only; rows/s are comparable, elapsed times are not)"
        )
    print(
        "\nWhere load_batch spends its time (median s): "
        f"COPY (into the raw table: first load) {med['loader_copy']:.2f}, merge INSERT {med['loader_merge']:.2f}, "
        f"other (DDL, watermark, _batches, commit) {med['loader_other']:.2f}; "
        f"daily: COPY into a temp table {med['daily_copy']:.2f}, merge {med['daily_merge']:.2f}, "
        f"other {med['daily'] - med['daily_copy'] - med['daily_merge']:.2f}; "
        f"re-run: COPY into a temp table {med['rerun_copy']:.2f}, merge {med['rerun_merge']:.2f}"
    )


if __name__ == "__main__":
    sys.exit(main())
