"""One CLI for every source, reading the same Airflow connection as its DAG.

    python -m extractors list
    python -m extractors run deskpro --since 2023-12-01 --until 2024-01-01 [--load]
    python -m extractors run deskpro --full-refresh --load [--force-deletions]
    python -m extractors run registers --full-refresh --load --stream ppid_requests

The connection comes from ``AIRFLOW_CONN_<ID>`` (JSON or URI, as Airflow reads
it). ``--load`` loads into the warehouse of ``WAREHOUSE_URL``, or the embedded
one (started, and its databases created, if needed). ``--stream`` loads only the
named streams of the extract (the extract itself reads the source whole).
Prints the run summary as JSON; exits 1 when the load refuses the batch.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import sys
from pathlib import Path


def _date(value: str) -> dt.datetime:
    d = dt.datetime.fromisoformat(value)
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def cmd_list(_: argparse.Namespace) -> int:
    from extractors.registry import SOURCES

    for s in SOURCES:
        print(f"{s.name:<12} connection {s.conn_id:<18} schedule {s.schedule:<14} {s.title}")
        for st in s.streams:
            personal = f"  personal: {', '.join(f'{k} ({v})' for k, v in st.personal.items())}" if st.personal else ""
            print(
                f"    {st.name:<28} {st.mode:<13} key ({', '.join(st.primary_key)})"
                f"{'  cursor ' + st.cursor if st.cursor else ''}{personal}"
            )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from extractors import runner
    from extractors.common.source import RunContext
    from extractors.registry import get
    from loaders import CompletenessError, LoadError

    source = get(args.source)
    for name in args.stream or []:
        source.stream(name)  # fails early, naming the streams there are
    warehouse = None
    if args.load:
        import psycopg

        from warehouse.config import ensure_databases, resolve

        wh = resolve()
        ensure_databases(wh)
        url = wh.url

        def warehouse():
            return psycopg.connect(url)

    ctx = RunContext(
        runner.connection_from_env(source.conn_id),
        Path(args.landing or runner.landing_dir()),
        _date(args.since) if args.since else None,
        _date(args.until) if args.until else None,
        args.full_refresh,
        warehouse,
    )
    summary: dict = {"extract": runner.extract(source, ctx)}
    status = 0
    if args.load:
        try:
            with warehouse() as conn:
                summary["load"] = runner.load(
                    source,
                    summary["extract"]["manifest"],
                    conn,
                    force_deletions=args.force_deletions,
                    streams=args.stream,
                )
        except (CompletenessError, LoadError) as exc:
            summary["load"] = {"refused": f"{type(exc).__name__}: {exc}"}
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
            status = 1
    return status, summary


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    p = argparse.ArgumentParser(
        prog="python -m extractors", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="every source, its connection, schedule and streams").set_defaults(func=cmd_list)
    run = sub.add_parser("run", help="extract one source (and load it)")
    run.add_argument("source")
    run.add_argument("--stream", action="append", help="load only this stream (repeatable)")
    run.add_argument("--full-refresh", action="store_true", help="read everything and reconcile deletions")
    run.add_argument("--since", help="window start, ISO date or datetime (UTC unless given)")
    run.add_argument("--until", help="window end, ISO date or datetime")
    run.add_argument("--load", action="store_true", help="load the batch into the warehouse")
    run.add_argument(
        "--force-deletions",
        action="store_true",
        help="let a full refresh delete although its listing is not proved complete",
    )
    run.add_argument("--landing", help="landing folder (default LANDING_DIR or data/landing)")
    run.set_defaults(func=cmd_run)
    args = p.parse_args(argv)
    if args.cmd == "list":
        return args.func(args)
    # Progress (and whatever Airflow's logging prints) goes to stderr; stdout is the summary alone.
    stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        status, summary = args.func(args)
    print(json.dumps(summary, indent=2, default=str), file=stdout)
    return status


if __name__ == "__main__":
    sys.exit(main())
