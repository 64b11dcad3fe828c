"""Run a command with the stand-ins of the sources it reads whose connection is not configured.

    python -m simulators.run [--seed 2023] -- python -m pipeline run --month 2023-12

Starts each stand-in (``simulators/<source>/stand_in.py``) whose Airflow
connection variable (``AIRFLOW_CONN_<ID>``) is unset, hands the command their
connections in its environment, and stops them when it ends, last started first.
A configured connection means "use the real system": its stand-in is not started.

Only the stand-ins the command needs are started: ``python -m pipeline dag|backfill <dag>``
reads the connection of that DAG's source alone (``transform`` and ``monthly_report`` none;
``pipeline.__main__.connections_needed`` says which), ``python -m extractors run <source>``
its source's; any other command (``pipeline run``, ``pipeline airflow``, pytest, ...) gets them all.

The product never imports the stand-ins: it only reads connections. This is the
one place that puts them together (``make run``, ``make airflow``, the tests).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("simulators.run")


def _workdir() -> Path:
    from warehouse.config import local_dir

    return local_dir() / "stand-ins"


def connections_needed(command: list[str]) -> set[str] | None:
    """The ``AIRFLOW_CONN_<ID>`` variables ``command`` reads, when it says; None: every source's."""
    module = next((command[i + 1] for i, a in enumerate(command[:-1]) if a == "-m"), None)
    rest = command[command.index("-m") + 2 :] if module else []
    if module == "pipeline":
        from pipeline.__main__ import connections_needed as pipeline_needs

        needed = pipeline_needs(rest)
        return None if needed is None else set(needed)
    if module == "extractors" and len(rest) >= 2 and rest[0] == "run":
        from extractors.registry import NAMES, get

        if rest[1] in NAMES:
            return {f"AIRFLOW_CONN_{get(rest[1]).conn_id.upper()}"}
    return None


@contextlib.contextmanager
def stand_ins(
    seed: int = 2023, workdir: Path | None = None, needed: set[str] | None = None
) -> Iterator[dict[str, str]]:
    """Start the stand-in of every source that has no connection configured (of those whose
    connection is in ``needed``, when given); their env."""
    from simulators.registry import discover

    workdir = workdir or _workdir()
    began = time.monotonic()
    with contextlib.ExitStack() as stack:
        env: dict[str, str] = {}
        started: list[str] = []
        configured: list[str] = []
        for mod in discover():
            name = mod.__name__.split(".")[1]
            if needed is not None and not needed & set(mod.CONN_ENVS):
                log.debug("%s: not needed by the command", name)
                continue
            if all(os.environ.get(k) for k in mod.CONN_ENVS):
                configured.append(name)
                log.debug("%s: using the configured connection", name)
                continue
            running = mod.start(seed, workdir / name)
            stack.callback(running.stop)
            env.update(running.env)
            started.append(name)
            log.debug("%s: local stand-in %s", name, " ".join(f"{k}={v}" for k, v in running.info.items()))
        log.info(
            "stand-ins: %s on 127.0.0.1 (%.0f s)%s",
            ", ".join(started) or "none",
            time.monotonic() - began,
            f"; configured connections: {', '.join(configured)}" if configured else "",
        )
        yield env


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    own, command = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    p = argparse.ArgumentParser(
        prog="python -m simulators.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--seed",
        type=int,
        default=int(os.environ.get("DJPK_SEED", "2023")),
        help="seed of the simulated world (default 2023)",
    )
    args = p.parse_args(own)
    if not command:
        p.error("give the command to run after --")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with stand_ins(args.seed, needed=connections_needed(command)) as env:
        proc = subprocess.Popen(command, env={**os.environ, **env})
        try:
            return proc.wait()
        except KeyboardInterrupt:  # Ctrl-C reached the command too (same process group): let it finish
            return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
