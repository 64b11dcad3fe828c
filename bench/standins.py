"""Start time, CPU and peak memory of each source stand-in, as ``simulators.run`` starts it.

    python -m bench.standins [--only email_lapor] [--seed 2023]

For each stand-in, in a fresh process each time: ``start(seed, workdir)`` as ``make run``
calls it, until the stand-in is usable (an HTTP stand-in listens when ``start`` returns;
the IMAP one must also accept a LOGIN with the connection it hands out), then ``stop()``.
Twice per stand-in: ``cold`` (an empty workdir, a first ``make run``) and ``restart``
(the same workdir again, every later ``make run``). Prints wall seconds to usable, CPU
seconds (the process and the servers it started) and peak RSS (MiB) of the process and
of its largest child (e.g. the IMAP server). Run it with ``nice`` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _usable(env: dict[str, str]) -> None:
    """Log in where the stand-in hands out an IMAP connection (what the extractor does first)."""
    import imaplib

    for value in env.values():
        if not value.lstrip().startswith("{"):
            continue
        conn = json.loads(value)
        if conn.get("conn_type") == "imap":
            imap = imaplib.IMAP4(conn["host"], int(conn["port"]), timeout=60)
            imap.login(conn["login"], conn["password"])
            imap.logout()


def child(name: str, seed: int, workdir: Path) -> None:
    import importlib

    mod = importlib.import_module(f"simulators.{name}.stand_in")
    t0, c0 = time.monotonic(), time.process_time()
    running = mod.start(seed, workdir)
    _usable(running.env)
    secs = time.monotonic() - t0
    running.stop()
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "start_s": secs,
                "cpu_s": time.process_time() - c0 + kids.ru_utime + kids.ru_stime,
                "rss_mib": me.ru_maxrss / 1024,
                "child_rss_mib": kids.ru_maxrss / 1024,
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.standins", description=__doc__)
    p.add_argument("--only", action="append", help="a stand-in's name (repeatable); default all")
    p.add_argument("--seed", type=int, default=2023)
    p.add_argument("--child", nargs=2, metavar=("NAME", "WORKDIR"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(args.child[0], args.seed, Path(args.child[1]))
        return 0
    from simulators.registry import discover

    names = args.only or [m.__name__.split(".")[1] for m in discover()]
    print(f"{'stand-in':<18} {'run':<8} {'start s':>8} {'CPU s':>7} {'RSS MiB':>8} {'child RSS MiB':>14}")
    with tempfile.TemporaryDirectory(prefix="bench-standins-") as tmp:
        for name in names:
            for mode in ("cold", "restart"):
                out = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "bench.standins",
                        "--seed",
                        str(args.seed),
                        "--child",
                        name,
                        f"{tmp}/{name}",
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                ).stdout
                r = json.loads(out.strip().splitlines()[-1])
                print(
                    f"{name:<18} {mode:<8} {r['start_s']:>8.1f} {r['cpu_s']:>7.1f} {r['rss_mib']:>8.0f}"
                    f" {r['child_rss_mib']:>14.0f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
