"""python -m reporting render --month 2023-12 [--out out]: render a month on demand from the marts."""

from __future__ import annotations

import argparse

import psycopg


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reporting", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("render", help="write summary.json, laporan.html and laporan.pdf for a month")
    r.add_argument("--month", required=True, action="append", help="YYYY-MM (repeatable)")
    r.add_argument("--out", default="out")
    args = ap.parse_args(argv)

    from pathlib import Path

    from pipeline.__main__ import bi_reader_url
    from reporting.report import write_report
    from reporting.summary import write_summary
    from warehouse.config import resolve

    with psycopg.connect(bi_reader_url(resolve())) as conn:
        for month in args.month:
            for p in (write_summary(conn, month, Path(args.out)), *write_report(conn, month, Path(args.out))):
                print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
