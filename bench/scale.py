"""Scale benchmark: the daily run at 1x and 10x history, and a national year, extract to marts.

    python -m bench.scale [--quick] [--out docs/BENCHMARKS.md] [--workdir DIR] [--reuse-base]

1. **Base (1x)**: the real pipeline, ``python -m simulators.run -- python -m pipeline run``, in a
   private ``DJPK_LOCAL_DIR`` (its own embedded PostgreSQL, landing and output folders): every
   source's stand-in, extractor, loader, and dbt, as ``make run`` does. Kept in
   ``<workdir>/base`` and reused by later runs of the same commit (``--reuse-base``: any commit).
2. **Scaled warehouses**: each a database of the base's server, ``CREATE DATABASE ... TEMPLATE
   warehouse``, made bigger in SQL (``bench/scale_data.py``): ``history`` factor F (F-1 copies
   of every event table, each moved further into the past) and ``national`` (WhatsApp messages,
   Deskpro tickets and Email Lapor messages, with what hangs on them, replicated in the same
   months until a year holds 10 M / 1 M / 1 M).
3. **The daily run** on each history warehouse: one new day arrives, written as a landing batch
   (``Batch``) and loaded with the real ``load_batch`` (extract+load), then ``python -m pipeline
   dbt build`` (the transform DAG's ``dbt build`` of the whole project, same profile and threads).
   When the project has incremental models, the scaled warehouse first gets a full
   ``dbt build`` (not timed as daily) so that the daily build is a real increment; ``--quick``
   builds only the incremental models and their ancestors (``dbt run --full-refresh``), since the
   daily build rebuilds every other model and runs every test itself.
4. **National extract->marts**: the SQL generation of the national raw rows (standing in for
   extract+load; no extractor runs) plus ``dbt build --full-refresh``. ``--quick`` generates a 2 % slice,
   reports its rows/s and the full volume's generation time extrapolated from it, and skips the build.

``--quick`` is a smoke run for a newcomer or CI (1x against 2x), labelled QUICK in its output; the
full run is the measurement.

Every step runs in a child process or in the server; its wall time, the child's peak RSS
(``os.wait4``), the PostgreSQL server's peak PSS (its processes' ``smaps_rollup``, sampled
every 0.5 s) and the database's ``temp_bytes``/``temp_files`` delta are recorded. Ratios are
taken within one run. Results are printed and, with ``--out``, written between the
``<!-- bench-scale:start -->`` / ``end`` markers (``bench-scale-quick`` for ``--quick``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
# what makes the base warehouse's data: a base built from the same trees is reused
PRODUCT = ("extractors", "loaders", "pipeline", "dbt_project", "dags", "simulators", "warehouse", "pyproject.toml")
GOAL_DAILY_RATIO = 1.2
GOAL_NATIONAL_SECONDS = 15 * 60
NATIONAL_PER_YEAR = {
    "whatsapp__messages": 10_000_000,
    "deskpro__tickets": 1_000_000,
    "email_lapor__messages": 1_000_000,
}
# tables that grow with a driver table in the national scenario (the driver's factor)
NATIONAL_FOLLOWERS = {"whatsapp__statuses": "whatsapp__messages", "deskpro__people": "deskpro__tickets"}
# the date column a national rate is counted by
RATE_COLUMN = {
    "whatsapp__messages": "sent_at",
    "deskpro__tickets": "date_status",
    "email_lapor__messages": "received_at",
}

# prep: what makes a scaled warehouse's incremental models hold its whole history before the daily build
#   "full": a full `dbt build --full-refresh` (every model and test);
#   "incremental": `dbt run --full-refresh` of the incremental models and their ancestors only (the daily
#   build rebuilds every other model and runs every test itself, so the rest of a full build is redundant)
# national_dbt: False skips the national slice's full dbt build (its extract->marts figure is the full run's)
FULL = {"factors": (1, 10), "national_share": 1.0, "label": "full", "prep": "full", "national_dbt": True}
QUICK = {"factors": (1, 2), "national_share": 0.02, "label": "quick", "prep": "incremental", "national_dbt": False}
# the selection of the "incremental" prep
PREP_SELECT = "+config.materialized:incremental"
# Every scaled warehouse is built, one after the other, in a database of this name: dbt's partial parse
# (target/partial_parse.msgpack) is only reused for the same connection (database included), so one
# name lets every build after the first skip the parse, as the transform DAG's cached parse does.
WORK_DB = "bench_scaled"


# --------------------------------------------------------------------------- results


@dataclass
class Step:
    name: str
    seconds: float
    rss_mib: float | None = None  # the child's peak RSS (None: ran in the server)
    pg_pss_mib: float | None = None  # the server's peak PSS during the step
    temp_bytes: int | None = None
    temp_files: int | None = None
    detail: str = ""
    ok: bool = True
    work: float | None = None  # the measured work inside the child, without its start-up (imports)


@dataclass
class Verdict:
    figure: str
    value: float | None
    goal: str
    met: bool | None
    dominated_by: str = ""


def ratio(hi: float | None, lo: float | None) -> float | None:
    if hi is None or lo is None or lo <= 0:
        return None
    return hi / lo


def seconds_if_ok(*steps: Step | None) -> float | None:
    """The steps' summed time (a step's ``work`` when it has one), or None when one is missing or failed."""
    if any(s is None or not s.ok for s in steps):
        return None
    return sum(s.seconds if s.work is None else s.work for s in steps)


def daily_verdict(figure: str, at_hi: float | None, at_1: float | None, goal: float = GOAL_DAILY_RATIO) -> Verdict:
    r = ratio(at_hi, at_1)
    return Verdict(figure, r, f"<= {goal:g}", None if r is None else r <= goal)


def national_verdict(seconds: float | None, goal: float = GOAL_NATIONAL_SECONDS, scale: float = 1.0) -> Verdict:
    """``scale`` < 1: a quick slice, which no goal applies to (dbt's fixed cost per build does not shrink
    with the data, so a goal scaled down with the slice would be missed by any code)."""
    if scale != 1.0:
        return Verdict(
            f"national x {scale:g} slice extract->marts",
            seconds,
            f"none (the < {goal / 60:g} min goal is for the full volume)",
            None,
        )
    return Verdict(
        "national extract->marts", seconds, f"< {goal / 60:g} min", None if seconds is None else seconds < goal
    )


def mark(v: Verdict) -> str:
    return "n/a" if v.met is None else "MET" if v.met else "MISSED"


def fmt_s(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s:.1f} s" if s < 120 else f"{int(s // 60)} min {s % 60:04.1f} s"


def fmt_mib(v: float | None) -> str:
    return "-" if v is None else f"{v:,.0f}"


def fmt_bytes(b: int | None) -> str:
    if b is None:
        return "-"
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= size:
            return f"{b / size:.1f} {unit}"
    return f"{b} B"


def steps_table(steps: list[Step]) -> list[str]:
    head = f"{'step':<44} {'time':>14} {'peak RSS MiB':>12} {'PG PSS MiB':>10} {'temp':>10} {'temp files':>10}  detail"
    lines = [head, "-" * len(head)]
    for s in steps:
        lines.append(
            f"{s.name:<44} {fmt_s(s.seconds):>14} {fmt_mib(s.rss_mib):>12} {fmt_mib(s.pg_pss_mib):>10} "
            f"{fmt_bytes(s.temp_bytes):>10} {'-' if s.temp_files is None else s.temp_files:>10}  "
            f"{'' if s.ok else 'FAILED '}{s.detail}"
        )
    return lines


def verdict_lines(verdicts: list[Verdict]) -> list[str]:
    out = []
    for v in verdicts:
        val = "-" if v.value is None else (fmt_s(v.value) if "national" in v.figure else f"{v.value:.2f}")
        line = f"{v.figure}: {val} (goal {v.goal}): {mark(v)}"
        if v.met is False and v.dominated_by:
            line += f"; dominated by {v.dominated_by}"
        out.append(line)
    return out


START, END = "<!-- bench-scale:start -->", "<!-- bench-scale:end -->"
QSTART, QEND = "<!-- bench-scale-quick:start -->", "<!-- bench-scale-quick:end -->"


def replace_section(doc: str, body: str, start: str = START, end: str = END) -> str:
    """``doc`` with the text between ``start`` and ``end`` replaced by ``body`` (markers kept);
    appended at the end, markers included, when the markers are missing."""
    block = f"{start}\n{body.strip()}\n{end}"
    i, j = doc.find(start), doc.find(end)
    if i >= 0 and j > i:
        return doc[:i] + block + doc[j + len(end) :]
    if (i >= 0) != (j >= 0) or (i >= 0 and j < i):
        raise ValueError(f"{start} / {end}: markers broken in the document; fix them by hand")
    return doc.rstrip("\n") + "\n\n" + block + "\n"


# --------------------------------------------------------------------------- measuring


def machine() -> dict:
    mem = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    return {"nproc": os.cpu_count(), "ram": mem, "load": os.getloadavg()}


class PgMemory:
    """Peak PSS of the PostgreSQL server (postmaster and its children), sampled in a thread."""

    def __init__(self, pid: int | None):
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _pss(self) -> int | None:
        if not self.pid:
            return None
        pids = [self.pid]
        for d in os.listdir("/proc"):
            if d.isdigit():
                with contextlib.suppress(OSError):
                    stat = Path(f"/proc/{d}/stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[1]) == self.pid:
                        pids.append(int(d))
        total = 0
        for p in pids:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
        return total or None

    def _run(self) -> None:
        while not self._stop.is_set():
            v = self._pss()
            if v:
                self.peak = max(self.peak, v)
            self._stop.wait(0.5)

    def __enter__(self) -> PgMemory:
        self.peak = 0
        self._stop.clear()
        if self.pid:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    @property
    def peak_mib(self) -> float | None:
        return self.peak / (1 << 20) if self.peak else None


def with_db(url: str, db: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, "/" + db, p.query, ""))


def temp_stats(admin_url: str, db: str) -> tuple[int, int]:
    import psycopg

    time.sleep(1.0)  # backends report their statistics at most once a second
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute("select temp_bytes, temp_files from pg_stat_database where datname = %s", (db,)).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


class Bench:
    def __init__(self, workdir: Path, log):
        self.workdir = workdir
        self.base = workdir / "base"
        self.log = log
        self.steps: list[Step] = []
        self.url = ""
        self.pg = PgMemory(None)
        self.target = workdir / "dbt-target"
        self._temp: dict[str, tuple[int, int]] = {}  # db -> temp counters read at the end of its last step

    def env(self, db: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "WAREHOUSE", "DBT_"))}
        env.update(
            DJPK_LOCAL_DIR=str(self.base / "local"),
            LANDING_DIR=str(self.base / "landing"),
            PROJECT_OUT_DIR=str(self.base / "out"),
            PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        )
        if db:
            env["WAREHOUSE_URL"] = with_db(self.url, db)
        return env

    def run(self, name: str, cmd: list[str], db: str | None, log_name: str, detail: str = "") -> Step:
        """Run ``cmd`` as a child, measuring wall time, its peak RSS, the server's PSS and temp files."""
        t0b = self.temp_before(db) if (db and self.url) else None
        logf = self.workdir / "logs" / f"{log_name}.log"
        logf.parent.mkdir(parents=True, exist_ok=True)
        with open(logf, "wb") as out, self.pg:
            t0 = time.monotonic()
            proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env(db), stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
            secs = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        t1b = self.temp_after(db) if (db and self.url) else None
        step = Step(
            name,
            secs,
            rss_mib=usage.ru_maxrss / 1024,
            pg_pss_mib=self.pg.peak_mib,
            temp_bytes=None if t0b is None else t1b[0] - t0b[0],
            temp_files=None if t0b is None else t1b[1] - t0b[1],
            detail=detail or str(logf),
            ok=proc.returncode == 0,
        )
        if not step.ok:
            step.detail = f"exit {proc.returncode}; see {logf}"
        self.record(step)
        return step

    def in_server(self, name: str, db: str, fn, detail: str = "") -> tuple[Step, object]:
        t0b = self.temp_before(db)
        with self.pg:
            t0 = time.monotonic()
            result = fn()
            secs = time.monotonic() - t0
        t1b = self.temp_after(db)
        step = Step(name, secs, None, self.pg.peak_mib, t1b[0] - t0b[0], t1b[1] - t0b[1], detail)
        self.record(step)
        return step, result

    def temp_before(self, db: str) -> tuple[int, int]:
        """The database's temp counters at a step's start: those read at the end of the step before it on
        the same database (nothing else ran on it in between), else read now."""
        return self._temp.pop(db, None) or temp_stats(self.admin, db)

    def temp_after(self, db: str) -> tuple[int, int]:
        self._temp[db] = temp_stats(self.admin, db)
        return self._temp[db]

    def record(self, step: Step) -> None:
        self.steps.append(step)
        self.log(
            f"  {step.name:<44} {fmt_s(step.seconds):>14}  rss {fmt_mib(step.rss_mib)} MiB, "
            f"pg {fmt_mib(step.pg_pss_mib)} MiB, temp {fmt_bytes(step.temp_bytes)}"
            f"{'' if step.ok else '  FAILED'}  {step.detail}"
        )

    @property
    def admin(self) -> str:
        return with_db(self.url, "postgres")

    # ---- the base

    def head(self) -> str:
        """The product code the base was built from: the commit, and a hash of the trees of the folders
        that make the data (the bench's own files and the docs do not count), ``-dirty`` when changed."""
        git = ["git", "-C", str(ROOT)]
        commit = subprocess.run([*git, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True).stdout
        trees = subprocess.run([*git, "ls-tree", "HEAD", "--", *PRODUCT], capture_output=True, text=True).stdout
        dirty = subprocess.run([*git, "status", "--porcelain", "--", *PRODUCT], capture_output=True, text=True).stdout
        key = hashlib.sha1(trees.encode()).hexdigest()[:12]
        return f"{commit.strip()} (code {key}{'-dirty' if dirty.strip() else ''})"

    def ensure_base(self, reuse_any: bool) -> None:
        marker = self.base / "built.json"
        head = self.head()
        if marker.exists():
            built = json.loads(marker.read_text())
            if reuse_any or (
                built.get("commit", "").split(" ", 1)[-1] == head.split(" ", 1)[-1] and "dirty" not in head
            ):
                self.log(f"base: reusing {self.base} (built {built.get('at')} at {built.get('commit')})")
                self.base_info = built
                return
            self.log(f"base: built at {built.get('commit')}, HEAD is {head}: rebuilding")
        self.stop_server()
        shutil.rmtree(self.base, ignore_errors=True)
        self.base.mkdir(parents=True)
        py = sys.executable
        step = self.run(
            "1x extract->marts (real pipeline, make run)",
            [py, "-m", "simulators.run", "--", py, "-m", "pipeline", "run"],
            None,
            "base-pipeline-run",
        )
        if not step.ok:
            raise RuntimeError(f"the base pipeline run failed: {step.detail}")
        self.base_info = {
            "commit": head,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seconds": step.seconds,
        }
        marker.write_text(json.dumps(self.base_info))

    def start_server(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "warehouse", "start"], cwd=ROOT, env=self.env(), capture_output=True, check=True
        )
        r = subprocess.run(
            [sys.executable, "-m", "warehouse", "url", "--show-password"],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        self.url = r.stdout.strip().splitlines()[-1]
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            data = conn.execute("show data_directory").fetchone()[0]
        pid = None
        with contextlib.suppress(OSError, ValueError):
            pid = int(Path(data, "postmaster.pid").read_text().split()[0])
        self.pg = PgMemory(pid if pid and Path(f"/proc/{pid}/smaps_rollup").exists() else None)

    def stop_server(self) -> None:
        if (self.base / "local").exists():
            subprocess.run(
                [sys.executable, "-m", "pipeline", "stop"], cwd=ROOT, env=self.env(), capture_output=True, check=False
            )

    def clone(self, db: str) -> None:
        """``db``, a fresh copy of the base's ``warehouse`` (file by file: faster than the WAL_LOG default)."""
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = 'warehouse' and pid <> pg_backend_pid()"
            )
            conn.execute(f'drop database if exists "{db}" with (force)')
            conn.execute(f'create database "{db}" template warehouse strategy file_copy')
        self._temp.pop(db, None)

    def keep_as(self, db: str, name: str) -> None:
        """``--keep``: the work database renamed to ``name`` (an older one of that name dropped)."""
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
            conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
                (db,),
            )
            conn.execute(f'alter database "{db}" rename to "{name}"')
        self._temp.pop(db, None)
        self.log(f"  kept: database {name}")

    def drop(self, db: str) -> None:
        import psycopg

        self._temp.pop(db, None)
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{db}" with (force)')

    def dbt_build(
        self, name: str, db: str, log_name: str, *extra: str, command: str = "build"
    ) -> tuple[Step, list[tuple[str, float]]]:
        target = self.target / db
        with contextlib.suppress(FileNotFoundError):
            (target / "run_results.json").unlink()
        step = self.run(
            name,
            [sys.executable, "-m", "pipeline", "dbt", command, "--target-path", str(target), *extra],
            db,
            log_name,
        )
        slow = slowest_nodes(target / "run_results.json")
        summary = run_summary(target / "run_results.json")
        with contextlib.suppress(OSError):  # each build's own, for `python -m bench.dbt_nodes`
            shutil.copyfile(target / "run_results.json", self.workdir / "logs" / f"{log_name}.run_results.json")
        step.detail = summary + ("" if step.ok else f"; {step.detail}")
        return step, slow


def slowest_nodes(path: Path, n: int = 5) -> list[tuple[str, float]]:
    with contextlib.suppress(OSError, ValueError):
        res = json.loads(path.read_text())["results"]
        nodes = sorted(((r["unique_id"], float(r.get("execution_time") or 0)) for r in res), key=lambda x: -x[1])
        return nodes[:n]
    return []


def run_summary(path: Path) -> str:
    with contextlib.suppress(OSError, ValueError):
        res = json.loads(path.read_text())["results"]
        counts: dict[str, int] = {}
        for r in res:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        return "dbt: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    return "dbt: no run_results.json"


def incremental_models() -> int:
    """How many models of the checked-out project are incremental (their config, or a config() call in SQL)."""
    n = 0
    for p in (ROOT / "dbt_project" / "models").rglob("*.sql"):
        if re.search(r"materialized\s*=\s*['\"]incremental['\"]", p.read_text()):
            n += 1
    yml = (ROOT / "dbt_project" / "dbt_project.yml").read_text()
    return n + len(re.findall(r"\+materialized:\s*incremental", yml))


# --------------------------------------------------------------------------- one day through the loader


def load_day(url: str, landing: Path, tag: str, repeat: int = 3) -> dict:
    """Write one new day of every event table as landing batches (``Batch``) and load them with ``load_batch``.

    The day is the busiest day of WhatsApp messages in the 1x data (Asia/Jakarta), its rows
    (of every table, by the table's first date column) moved to the first same weekday after
    the newest date in the warehouse, with new keys."""
    import psycopg
    from psycopg import sql

    from bench.scale_data import (
        day_rows_sql,
        history_tables,
        new_day_keys,
        new_record_ids,
        raw_tables,
        shift_value,
        spec_columns,
    )
    from extractors.common.batch import Batch, StreamSpec
    from loaders.postgres import load_batch

    with psycopg.connect(url) as conn:
        tables = {t.name: t for t in history_tables(raw_tables(conn)) if t.date_columns}
        ref = conn.execute(
            "select (sent_at at time zone 'Asia/Jakarta')::date d from raw.whatsapp__messages"
            " group by 1 order by count(*) desc, 1 desc limit 1"  # the newest of equally busy days (copies tie)
        ).fetchone()[0]
        newest = max(
            conn.execute(
                sql.SQL("select max({})::date from {}").format(
                    sql.Identifier(t.date_columns[0]), sql.Identifier("raw", t.name)
                )
            ).fetchone()[0]
            or ref
            for t in tables.values()
        )
        days = ((newest - ref).days // 7 + 1) * 7
        # the day's rows are read first (the harness's own scans of raw are not timed)
        day = {t.name: conn.execute(day_rows_sql(t), {"day": ref}).fetchall() for t in tables.values()}
        t0 = time.monotonic()
        batches: dict[str, Batch] = {}
        rows = 0
        for t in tables.values():
            source, stream = t.name.split("__", 1)
            b = batches.setdefault(source, Batch(landing, source))
            spec = StreamSpec(t.name, spec_columns(t), list(t.primary_key))
            out = b.stream(stream, spec, False)
            for row in day[t.name]:
                keys = dict(zip([c for c, _ in t.columns], row[: len(t.columns)], strict=True))
                record, request = row[len(t.columns)], row[len(t.columns) + 1]
                out.write(
                    new_day_keys(t, keys, days, tag),
                    new_record_ids(t.name, shift_value(record, days), tag),
                    request or "bench.scale",
                )
                rows += 1
        manifests = []
        for b in batches.values():
            b.window = {"since": None, "until": None, "note": "bench.scale: one new day"}
            manifests.append(b.commit())
        write_s = time.monotonic() - t0
        conn.commit()
        # load_batch `repeat` times, each but the last rolled back, so one day arrives; the median is reported
        loads = []
        for i in range(repeat):
            t1 = time.monotonic()
            with conn.transaction(force_rollback=i < repeat - 1):
                for m in manifests:
                    load_batch(conn, m)
            conn.commit()
            loads.append(time.monotonic() - t1)
        load_s = statistics.median(loads)
    return {
        "day": str(ref),
        "moved_days": days,
        "rows": rows,
        "write_s": write_s,
        "load_s": load_s,
        "loads": loads,
        "tables": len(tables),
    }


# --------------------------------------------------------------------------- scenarios


def national_factors(url: str, share: float) -> dict[str, int]:
    """Copies per table so that a year holds ``share`` x the national volume (rates from the 1x data)."""
    import psycopg
    from psycopg import sql

    out: dict[str, int] = {}
    with psycopg.connect(url) as conn:
        for table, per_year in NATIONAL_PER_YEAR.items():
            col = RATE_COLUMN[table]
            if col is None:  # no typed date: the table's batches span the base's window
                n = conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier("raw", table))).fetchone()[0]
                lo, hi = conn.execute(
                    "select min(sent_at)::date, max(sent_at)::date from raw.whatsapp__messages"
                ).fetchone()
            else:
                n, lo, hi = conn.execute(
                    sql.SQL("select count(*), min({c})::date, max({c})::date from {t}").format(
                        c=sql.Identifier(col), t=sql.Identifier("raw", table)
                    )
                ).fetchone()
            out[table] = national_factor(n, lo, hi, per_year * share)
    for follower, driver in NATIONAL_FOLLOWERS.items():
        out[follower] = out[driver]
    return out


def national_factor(rows: int, lo: dt.date | None, hi: dt.date | None, per_year: float) -> int:
    """The whole number of copies that brings ``rows`` over ``lo``..``hi`` to at least ``per_year`` a year."""
    if not rows or lo is None or hi is None:
        return 1
    rate = rows * 365.0 / max((hi - lo).days + 1, 1)
    return max(1, -(-int(per_year) // max(int(rate), 1)) if rate < per_year else 1)


def run(args: argparse.Namespace) -> int:
    cfg = dict(QUICK if args.quick else FULL)
    if args.factors:
        cfg["factors"] = tuple(int(x) for x in args.factors.split(","))
    if args.national_share is not None:
        cfg["national_share"] = args.national_share
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def log(s: str = "") -> None:
        print(s, flush=True)

    started = time.monotonic()
    m0 = machine()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    log(
        f"bench.scale ({cfg['label']}): factors {cfg['factors']}, national x {cfg['national_share']:g}; workdir {workdir}"
    )
    log(
        f"machine: {m0['nproc']} CPUs, {m0['ram'] / (1 << 30):.1f} GiB RAM, load average {' '.join(f'{x:.2f}' for x in m0['load'])}"
    )
    b = Bench(workdir, log)
    verdicts: list[Verdict] = []
    daily: dict[int, dict[str, Step]] = {}
    slow: dict[str, list[tuple[str, float]]] = {}
    rows_at: dict[str, dict[str, int]] = {}
    national_s = None
    notes: list[str] = []  # lines printed (and written) after the verdicts
    incremental = incremental_models()
    log(f"incremental dbt models in the checked-out project: {incremental}")
    try:
        b.ensure_base(args.reuse_base)
        b.start_server()
        db = WORK_DB
        for f in () if args.skip_history else cfg["factors"]:
            b.clone(db)
            import psycopg

            from bench.scale_data import replicate

            if incremental:
                # The base loaded its whole history in one run: every raw row would be inside an incremental
                # model's lookback. Spread the load times of the incremental sources' rows over the history
                # (an hour after each event, as if loaded day by day; the history copies below move their
                # load times with their dates), then build the incremental models in full (not timed as
                # daily), so that the daily build below is a real increment, at 1x as at 10x.
                from bench.incremental_dbt import RAW_EVENT_TIME as RAW_EVENT_TIME_AGED, age_loads

                def age(db=db):
                    with psycopg.connect(with_db(b.url, db)) as conn:
                        age_loads(conn)
                        for table in RAW_EVENT_TIME_AGED:  # their statistics of _loaded_at, for the 1x run too
                            conn.execute(f"analyze raw.{table}")
                        conn.commit()

                b.in_server(f"{f}x load times spread over the history", db, age)
            base_rows: dict[str, int] = {}

            def scale(db=db, f=f, base_rows=base_rows):
                with psycopg.connect(with_db(b.url, db)) as conn:
                    return replicate(
                        conn,
                        f,
                        "history",
                        bulk=not args.no_bulk,
                        base_rows=base_rows,
                        url=with_db(b.url, db),
                        workers=args.gen_workers,
                    )

            if f > 1 or not args.quick:  # quick: 1x is the base as it is (no copies to make)
                st, rows = b.in_server(f"{f}x history: SQL copies", db, scale)
                rows_at[f"{f}x"] = rows
                st.detail = f"{sum(rows.values()):,} rows in {len(rows)} event tables" + (
                    "" if f == 1 else f" ({generation_rate(rows, base_rows, st.seconds)})"
                )
            if incremental:
                if cfg["prep"] == "full":
                    b.dbt_build(f"{f}x first dbt build (history, not daily)", db, f"dbt-initial-x{f}", "--full-refresh")
                else:
                    b.dbt_build(
                        f"{f}x incremental models in full (not daily)",
                        db,
                        f"dbt-initial-x{f}",
                        "--select",
                        PREP_SELECT,
                        "--full-refresh",
                        command="run",
                    )
            py = sys.executable
            landing = workdir / "landing" / db
            shutil.rmtree(landing, ignore_errors=True)
            el = b.run(
                f"{f}x daily extract+load (batch + load_batch)",
                [py, "-m", "bench.scale", "load-day", "--landing", str(landing)],  # WAREHOUSE_URL: the db
                db,
                f"daily-load-x{f}",
            )
            with contextlib.suppress(OSError, ValueError, IndexError):
                info = json.loads((workdir / "logs" / f"daily-load-x{f}.log").read_text().strip().splitlines()[-1])
                el.work = info["write_s"] + info["load_s"]
                el.detail = (
                    f"{info['rows']:,} rows of {info['day']} (+{info['moved_days']} d), {info['tables']} tables: "
                    f"write {info['write_s']:.2f} s + load_batch {info['load_s']:.2f} s (median of "
                    f"{', '.join(f'{x:.2f}' for x in info['loads'])}; the ratio's figure)"
                )
            tr, nodes = b.dbt_build(f"{f}x daily dbt build", db, f"dbt-daily-x{f}")
            daily[f] = {"el": el, "dbt": tr}
            slow[f"{f}x daily"] = nodes
            if args.keep:
                b.keep_as(db, f"bench_x{f}")
            else:
                b.drop(db)
        if not args.skip_history:
            lo, hi = cfg["factors"]
            dh, dl = daily[hi], daily[lo]
            v_el = daily_verdict(f"daily extract+load, {hi}x / {lo}x", seconds_if_ok(dh["el"]), seconds_if_ok(dl["el"]))
            v_dbt = daily_verdict(f"daily dbt build, {hi}x / {lo}x", seconds_if_ok(dh["dbt"]), seconds_if_ok(dl["dbt"]))
            v_dbt.dominated_by = nodes_text(slow.get(f"{hi}x daily", []))
            v_el.dominated_by = (
                f"{lo}x: {dl['el'].detail.split(': ', 1)[-1]}; {hi}x: {dh['el'].detail.split(': ', 1)[-1]}"
                " (the batch write does not depend on the warehouse: its growth is the machine's noise)"
            )
            v_all = daily_verdict(
                f"daily run (extract+load+dbt), {hi}x / {lo}x",
                seconds_if_ok(dh["el"], dh["dbt"]),
                seconds_if_ok(dl["el"], dl["dbt"]),
            )
            v_all.dominated_by = "the dbt build (above)"
            verdicts += [v_el, v_dbt, v_all]
        if not args.skip_national:
            # the history figures are written now: a national run cut short leaves them in the doc
            publish(b, cfg, when, m0, verdicts, slow, started, incremental, args, log, final=False, notes=notes)
            b.clone(db)
            factors = national_factors(with_db(b.url, db), cfg["national_share"])
            full_factors = factors if cfg["national_share"] == 1.0 else national_factors(with_db(b.url, db), 1.0)
            import psycopg

            from bench.scale_data import replicate

            base_rows = {}

            def scale_n(db=db, factors=factors, base_rows=base_rows):
                with psycopg.connect(with_db(b.url, db)) as conn:
                    return replicate(
                        conn,
                        factors,
                        "volume",
                        bulk=not args.no_bulk,
                        base_rows=base_rows,
                        url=with_db(b.url, db),
                        workers=args.gen_workers,
                    )

            st, rows = b.in_server("national: raw rows generated in SQL (=extract+load)", db, scale_n)
            rows_at["national"] = rows
            st.detail = ", ".join(f"{t} x{factors[t]} = {rows[t]:,}" for t in sorted(rows))
            st.detail += f" ({generation_rate(rows, base_rows, st.seconds)})"
            notes.append(national_generation_note(rows, base_rows, full_factors, st.seconds, cfg["national_share"]))
            # a national year arrives as history: one full build is what its marts cost at that volume.
            # --full-refresh: the database is a copy of the base, whose incremental models exist; without
            # it they would take the year as one increment (a temp table of every row, then delete+insert)
            if cfg["national_dbt"] and not args.skip_national_dbt:
                tr, nodes = b.dbt_build("national: dbt build (all history)", db, "dbt-national", "--full-refresh")
                slow["national"] = nodes
                national_s = seconds_if_ok(st, tr)
                v_nat = national_verdict(national_s, scale=cfg["national_share"])
                v_nat.dominated_by = nodes_text(nodes)
                verdicts.append(v_nat)
            else:
                notes.append(
                    "national: dbt build skipped"
                    + (" (quick: a build's cost at a slice is mostly its fixed cost;" if args.quick else " (")
                    + " the national extract->marts figure is the full run's: `python -m bench.scale --skip-history`)"
                )
            if args.keep:
                b.keep_as(db, "bench_national")
            else:
                b.drop(db)
    finally:
        b.stop_server()
    publish(b, cfg, when, m0, verdicts, slow, started, incremental, args, log, final=True, notes=notes)
    return 0


def publish(
    b: Bench, cfg, when, m0, verdicts, slow, started, incremental, args, log, final: bool, notes: list[str] = ()
) -> None:
    """Print the table and the verdicts; with ``--out`` write them into the doc's section."""
    m1 = machine()
    total = time.monotonic() - started
    lines = [*steps_table(b.steps), "", *verdict_lines(verdicts), *notes]
    if args.quick:
        lines.insert(0, QUICK_LABEL.format(lo=cfg["factors"][0], hi=cfg["factors"][-1], share=cfg["national_share"]))
    if not final:
        lines.append("(in progress: the national run is still going; this section is replaced when it ends)")
    for k, nodes in slow.items():
        if nodes:
            lines.append(f"slowest dbt nodes, {k}: {nodes_text(nodes)}")
    log()
    for line in lines:
        log(line)
    log(f"load average now: {' '.join(f'{x:.2f}' for x in m1['load'])}; total {fmt_s(total)}")
    if args.out:
        section = doc_section(cfg, when, m0, m1, b, verdicts, lines, total, incremental, args)
        path = Path(args.out)
        doc = path.read_text() if path.exists() else ""
        start, end = (QSTART, QEND) if args.quick else (START, END)
        path.write_text(replace_section(doc, section, start, end))
        log(f"written: {path} (section {start})")


QUICK_LABEL = (
    "QUICK run (a smoke run, not the measurement: {lo}x against {hi}x history, a {share:g} national slice; "
    "`make bench-scale` measures 1x against 10x and the full national volume)"
)


def generation_rate(rows: dict[str, int], before: dict[str, int], seconds: float) -> str:
    """``N rows generated, R rows/s``: the rows added over the step's time."""
    added = sum(rows.values()) - sum(before.get(t, 0) for t in rows)
    return f"{added:,} rows generated, {added / seconds:,.0f} rows/s" if seconds > 0 else f"{added:,} rows generated"


def national_generation_note(
    rows: dict[str, int], before: dict[str, int], full_factors: dict[str, int], seconds: float, share: float
) -> str:
    """The generation's rate, and for a slice the time of the full volume at that rate (an extrapolation)."""
    added = sum(rows.values()) - sum(before.get(t, 0) for t in rows)
    rate = added / seconds if seconds > 0 else 0.0
    line = f"national generation: {added:,} rows in {fmt_s(seconds)}, {rate:,.0f} rows/s"
    if share == 1.0 or not rate:
        return line
    full = sum(before.get(t, 0) * (full_factors.get(t, 1) - 1) for t in rows)
    return (
        f"{line}; the full volume adds {full:,} rows: about {fmt_s(full / rate)} at this rate "
        "(a linear extrapolation from this slice, not measured)"
    )


def nodes_text(nodes: list[tuple[str, float]]) -> str:
    return ", ".join(f"{uid.split('.', 2)[-1]} {secs:.1f} s" for uid, secs in nodes[:5])


def command_line(args: argparse.Namespace) -> str:
    """The command that ran, as the doc shows it (the make target when it is exactly that)."""
    argv = list(getattr(args, "argv", []))
    line = " ".join([".venv/bin/python -m bench.scale", *argv])
    make = {("--quick",): "make bench-scale-quick", ("--out", "docs/BENCHMARKS.md"): "make bench-scale"}
    target = make.get(tuple(argv))
    return f"{target}   # = {line}" if target else line


def doc_section(cfg, when, m0, m1, b: Bench, verdicts, lines, total, incremental, args) -> str:
    cmd = command_line(args)
    title = "### Scale, quick (`make bench-scale-quick`)" if args.quick else "## Scale (`make bench-scale`)"
    out = [
        title,
        "",
        f"Run {when} on {m0['nproc']} CPUs, {m0['ram'] / (1 << 30):.1f} GiB RAM; load average "
        f"{' '.join(f'{x:.2f}' for x in m0['load'])} before, {' '.join(f'{x:.2f}' for x in m1['load'])} after; "
        f"total {fmt_s(total)}; base (1x, real pipeline) of commit {b.base_info.get('commit', '?')[:12]}; "
        f"{incremental} incremental dbt models.",
        "",
        "```",
        f"$ {cmd}",
        *lines,
        "```",
        "",
        "| figure | value | goal | result |",
        "|---|---|---|---|",
    ]
    for v in verdicts:
        val = "-" if v.value is None else (fmt_s(v.value) if "national" in v.figure else f"{v.value:.2f}")
        res = mark(v) + (f" — dominated by {v.dominated_by}" if v.met is False and v.dominated_by else "")
        out.append(f"| {v.figure} | {val} | {v.goal} | {res} |")
    out += ["", METHOD]
    return "\n".join(out)


METHOD = """\
How the data is made (`bench/scale_data.py`, `bench/scale.py`):

- **1x**: the real pipeline (`python -m simulators.run -- python -m pipeline run`: stand-ins,
  extractors, loader, dbt) in a private `DJPK_LOCAL_DIR`, its own embedded PostgreSQL 18
  (the pipeline's settings, fsync on). Every scaled warehouse is a `CREATE DATABASE ... TEMPLATE`
  copy of it on the same server, so all figures share one server and one moment.
- **History xF**: F-1 copies of every event table of `raw` (those with a typed date column, and
  Deskpro's people and organizations; not lookups such as agents or departments), copy k moved
  k x step years earlier (step, per source = the smallest whole number of years longer than the
  span of that source's data: 2 for 2022-12..2024-01, 5 for the CMS, whose posts go back to 2019;
  copies never overlap, and a source's tables move together). Typed dates move by `interval`; dates inside
  `record` (`YYYY-MM-DD`, `/YYYY`) move with them. Keys stay unique: a key with a date is new by
  the shift alone; otherwise its first non-date column is re-keyed (bigint + k x a power of ten
  above every key, text + `~h<k>`); `wamid` is re-keyed in every table, so statuses stay with
  their messages. Each month keeps its proportions (channels, types, statuses); ids inside
  `record` (a ticket's person) are kept, so joins keep their fan-out, except an e-mail's
  `message_id` and `raw_sha256`, tagged like the keys, so a copy is another message (before
  2026-12-04 every copy was the same message delivered again). Weekdays move with the years.
- **National**: WhatsApp messages (and their statuses), Deskpro tickets (and people) and Email
  Lapor messages copied in the same months (dates unchanged, keys re-keyed `~v<k>` / + k x stride)
  until a year holds 10 M / 1 M / 1 M; the other sources stay 1x. Its "extract" is this SQL
  generation (no extractor or loader runs), then `dbt build --full-refresh`.
- **Daily run**: the busiest day of WhatsApp messages in the 1x data, every event table's rows of
  that day (Asia/Jakarta, by the table's first date column) moved to the first same weekday after
  the newest data, with new keys, written as landing batches with `Batch` and loaded with the real
  `load_batch` (3 times, the first two rolled back; the median counts) (extract+load: the stand-ins and extractors do not run; their cost does not depend
  on the warehouse's size), then `python -m pipeline dbt build`: the transform DAG's build of the
  whole project (same `dbt build`, profile and 4 threads as Cosmos' `DbtBuildLocalOperator`; the
  CLI instead of dbt in-process, and no `provision_pseudonym_key` task). When the project has
  incremental models, the load times of their sources' raw rows are first spread over the history
  (an hour after each event; history copies, made after, move theirs with their dates) and the
  warehouse gets a full build (`--quick`: only the incremental models and their ancestors, `dbt run
  --full-refresh`; the daily build rebuilds the rest), neither timed as daily. dbt keeps its parse
  between the builds of one run (one work database, one target folder), as the transform DAG keeps its.
- Peak RSS: the step's child process tree (`os.wait4`); PG PSS: the server's processes' summed
  proportional set size, sampled every 0.5 s; temp: `pg_stat_database.temp_bytes`/`temp_files`
  of that database, before and after. Ratios are taken within one run; absolute times depend on
  the machine and its load."""


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="djpk-xdg-"))
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["load-day"]:
        ap = argparse.ArgumentParser(prog="python -m bench.scale load-day")
        ap.add_argument("--url", default=os.environ.get("WAREHOUSE_URL"), help="default: WAREHOUSE_URL")
        ap.add_argument("--landing", required=True)
        ap.add_argument("--tag", default="~d1")
        ap.add_argument("--repeat", type=int, default=3)
        a = ap.parse_args(argv[1:])
        print(json.dumps(load_day(a.url, Path(a.landing), a.tag, a.repeat)))
        return 0
    ap = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run, not the measurement: 1x vs 2x daily runs and a 2%% national slice's generation,"
        " no national dbt build (its time: docs/BENCHMARKS.md, Scale, quick)",
    )
    ap.add_argument("--out", help="write the results into this Markdown file between the bench-scale markers")
    ap.add_argument(
        "--workdir", default=str(ROOT / ".local" / "bench-scale"), help="private folder (base warehouse, logs)"
    )
    ap.add_argument("--reuse-base", action="store_true", help="reuse an existing base even if built at another commit")
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--skip-history", action="store_true", help="only the national run")
    ap.add_argument("--factors", help="two history factors, e.g. 1,10 (default 1,10; quick 1,2)")
    ap.add_argument("--national-share", type=float, help="the share of the national volume (default 1; quick 0.02)")
    ap.add_argument("--keep", action="store_true", help="keep the scaled databases (bench_x<F>, bench_national)")
    ap.add_argument(
        "--skip-national-dbt",
        action="store_true",
        help="generate the national rows but do not build them (quick: always)",
    )
    ap.add_argument(
        "--gen-workers",
        type=int,
        default=1,
        help="connections generating the scaled rows at once (default 1; 2 gained nothing at load 5-7 on 2 cores)",
    )
    ap.add_argument(
        "--no-bulk",
        action="store_true",
        help="insert the generated rows into the tables' indexes as they are (the old way, to compare)",
    )
    args = ap.parse_args(argv)
    args.argv = strip_workdir(argv)
    return run(args)


def strip_workdir(argv: list[str]) -> list[str]:
    """``argv`` without ``--workdir DIR`` / ``--workdir=DIR`` (a private path, not part of the command)."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a == "--workdir":
            skip = True
        elif not a.startswith("--workdir="):
            out.append(a)
    return out


if __name__ == "__main__":
    sys.exit(main())
