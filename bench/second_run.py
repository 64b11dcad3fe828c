"""A second ``make run`` on the same local dir: how long it takes and what it adds.

    python -m bench.second_run [--dir /tmp/second-run] [--keep] [--month 2023-12]

Runs what ``make run`` runs (``python -m simulators.run -- python -m pipeline run``)
twice in a fresh local dir (``DJPK_LOCAL_DIR``, ``LANDING_DIR``, ``PROJECT_OUT_DIR``
under ``--dir``, which is emptied first), then prints the wall time of each run, the
ratio second/first, their CPU seconds (every process the run started and waited for: the
stand-ins, Airflow's tasks, dbt; not the warehouse server, which outlives a run; on a
shared machine the steadier figure), each run's step times (its console lines, the stand-ins' line
included) and ``count(*)`` of every ``raw.*`` table before and after the second run.
The warehouse is stopped at the end (``python -m pipeline stop``); ``--keep`` keeps the
folder. Heavy (two full runs, about ten minutes on 2 cores): run it with ``nice``.
Exit code 1 when a run fails or the second run adds rows to a raw data table (the
bookkeeping tables ``raw._*``, e.g. ``_batches``, log every run and are only shown).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

STEP = re.compile(r"^  (\S+)\s+((?:\d+ min )?\d+(?:\.\d+)? s)\s")
STANDINS = re.compile(r"simulators\.run: stand-ins: (.*) \((\d+(?:\.\d+)?) s\)")


def raw_counts(env: dict[str, str]) -> dict[str, int]:
    code = (
        "import psycopg, json; from warehouse.config import resolve\n"
        "with psycopg.connect(resolve().url) as c:\n"
        '    ts = [r[0] for r in c.execute("select table_name from information_schema.tables'
        " where table_schema = 'raw' order by 1\")]\n"
        "    print(json.dumps({t: c.execute(f'select count(*) from raw.\"{t}\"').fetchone()[0] for t in ts}))\n"
    )
    import json

    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def one_run(env: dict[str, str], months: list[str], log: Path) -> tuple[float, float, int, list[str]]:
    cmd = [sys.executable, "-m", "simulators.run", "--", sys.executable, "-m", "pipeline", "run"]
    for m in months:
        cmd += ["--month", m]
    t0, r0 = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "w") as f:
        rc = subprocess.call(cmd, env=env, stdout=f, stderr=subprocess.STDOUT)
    secs, r1 = time.monotonic() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    steps = []
    for line in log.read_text().splitlines():
        m = STANDINS.search(line)
        if m:
            steps.append(f"  {'stand-ins':<18} {float(m.group(2)):>8.1f} s  {m.group(1)}")
        elif STEP.match(line) or line.startswith("total time"):
            steps.append(line)
    return secs, cpu, rc, steps


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.second_run", description=__doc__)
    p.add_argument("--dir", default="/tmp/djpk-second-run")
    p.add_argument("--month", action="append")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args(argv)
    base = Path(args.dir)
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    env = {
        **os.environ,
        "DJPK_LOCAL_DIR": str(base / "local"),
        "LANDING_DIR": str(base / "landing"),
        "PROJECT_OUT_DIR": str(base / "out"),
    }
    months = args.month or ["2023-12"]
    try:
        first, cpu1, rc1, steps1 = one_run(env, months, base / "run1.log")
        print(f"first run:  {first:7.1f} s wall, {cpu1:7.1f} s CPU (exit {rc1}); log {base / 'run1.log'}", flush=True)
        print("\n".join(steps1), flush=True)
        if rc1:
            return 1
        before = raw_counts(env)
        second, cpu2, rc2, steps2 = one_run(env, months, base / "run2.log")
        print(f"second run: {second:7.1f} s wall, {cpu2:7.1f} s CPU (exit {rc2}); log {base / 'run2.log'}")
        print("\n".join(steps2))
        after = raw_counts(env)
        print(f"second / first: {second / first:.0%} wall, {cpu2 / cpu1:.0%} CPU (target <= 60 %)")
        print(f"{'raw table':<40} {'before':>9} {'after':>9} {'added':>7}")
        added_any = False
        for t in sorted(set(before) | set(after)):
            b, a = before.get(t, 0), after.get(t, 0)
            added_any |= a != b and not t.startswith("_")  # raw._batches etc. log every run
            print(f"{t:<40} {b:>9,} {a:>9,} {a - b:>7,}")
        data = sum(after[t] - before.get(t, 0) for t in after if not t.startswith("_"))
        books = sum(after[t] - before.get(t, 0) for t in after if t.startswith("_"))
        print(f"rows added by the second run: {data:,} to raw data tables, {books:,} to the bookkeeping tables raw._*")
        return 1 if rc2 or added_any else 0
    finally:
        subprocess.call([sys.executable, "-m", "pipeline", "stop"], env=env, stdout=subprocess.DEVNULL)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
