"""python -m reporting render --month 2023-12 [--out out] [--logo FILE] [--evaluasi-dir DIR]:
render a month on demand from the marts (summary.json, laporan.html, laporan.pdf)."""

from __future__ import annotations

import argparse
import json
import os


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reporting", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("render", help="write summary.json, laporan.html and laporan.pdf for a month")
    r.add_argument("--month", required=True, action="append", help="YYYY-MM (repeatable)")
    r.add_argument("--out", default="out")
    r.add_argument("--logo", help="an image for the cover (default: $DJPK_REPORT_LOGO, else reports/logo.png)")
    r.add_argument("--evaluasi-dir", help="where <YYYY-MM>.md holds Evaluasi dan Saran (default: reports/evaluasi)")
    args = ap.parse_args(argv)
    if args.logo:
        os.environ["DJPK_REPORT_LOGO"] = args.logo
    if args.evaluasi_dir:
        os.environ["DJPK_EVALUASI_DIR"] = args.evaluasi_dir

    from pathlib import Path

    import psycopg

    from pipeline.__main__ import bi_reader_url
    from reporting.report import SOURCE_LABELS, write_report
    from reporting.summary import write_summary
    from warehouse.config import resolve

    with psycopg.connect(bi_reader_url(resolve())) as conn:
        for month in args.month:
            summary = write_summary(conn, month, Path(args.out))
            for p in (summary, *write_report(conn, month, Path(args.out))):
                print(p)
            missing = json.loads(summary.read_text()).get("sources_without_data") or []
            if missing:
                print(f"{month}: data belum tersedia dari " + ", ".join(SOURCE_LABELS.get(s, s) for s in missing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
