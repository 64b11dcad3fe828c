"""How much of the 10x daily dbt build's growth is the data, and how much is two cores shared by four threads.

    python -m bench.scale --skip-national --reuse-base --keep --workdir W
    python -m bench.dbt_threads --workdir W [--threads 4,1]

`bench.scale --keep` keeps the scaled databases after their daily build (``bench_x1``,
``bench_x10``). This rebuilds each of them with ``python -m pipeline dbt build`` (no full
refresh: the incremental models re-read their lookback window, the tables are rebuilt whole,
every test runs, as in a daily build) once per thread count, in the order 1x, 10x for each
count, and prints each build's wall time and the 10x / 1x ratio per thread count. With one
thread no node waits for another's CPU, so the ratio at ``--threads 1`` is the growth of the
work itself; compare the builds node by node with ``python -m bench.dbt_nodes`` on the
``run_results.json`` files it names. Each database keeps one dbt target folder (a parse
first, not timed), so no build pays for a parse. The base warehouse is started when it is
stopped (as bench.scale leaves it), and then stopped again.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.scale import ROOT, Bench


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, required=True, help="bench.scale's --workdir (its base warehouse)")
    ap.add_argument("--dbs", default="bench_x1,bench_x10", help="databases kept by bench.scale --keep, 1x first")
    ap.add_argument("--threads", default="4,1")
    args = ap.parse_args(argv)
    bench = Bench(args.workdir, print)
    status = subprocess.run(
        [sys.executable, "-m", "warehouse", "status"], cwd=ROOT, env=bench.env(), capture_output=True, check=False
    )
    stopped = status.returncode != 0  # bench.scale stops the warehouse it started
    bench.start_server()  # starts it, or finds it running; bench.url
    try:
        return rebuild(args, bench)
    finally:
        if stopped:
            bench.stop_server()


def rebuild(args: argparse.Namespace, bench: Bench) -> int:
    dbs = args.dbs.split(",")
    out = args.workdir / "logs"
    out.mkdir(parents=True, exist_ok=True)

    def dbt(db: str, *cmd: str, log: Path) -> tuple[float, int]:
        t0 = time.perf_counter()
        with log.open("w") as fh:
            rc = subprocess.run(
                [sys.executable, "-m", "pipeline", "dbt", *cmd, "--target-path", str(args.workdir / "threads" / db)],
                cwd=ROOT,
                env=bench.env(db),
                stdout=fh,
                stderr=subprocess.STDOUT,
            ).returncode
        return time.perf_counter() - t0, rc

    for db in dbs:
        dbt(db, "parse", log=out / f"threads-{db}-parse.log")
    failed = False
    for n in args.threads.split(","):
        walls = []
        for db in dbs:
            name = f"threads-{db}-t{n}"
            wall, rc = dbt(db, "build", "--threads", n, log=out / f"{name}.log")
            results = args.workdir / "threads" / db / "run_results.json"
            kept = out / f"{name}.run_results.json"
            if results.exists():
                shutil.copyfile(results, kept)
            failed |= rc != 0
            walls.append(wall)
            print(f"{db:12} threads={n:2}  {wall:6.1f} s  rc={rc}  {kept}")
        print(f"  {dbs[-1]} / {dbs[0]} at {n} thread(s): {walls[-1] / walls[0]:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
