"""python -m extractors.whatsapp --spool DIR [--export DIR] [--since 2023-12-01] [--full-refresh] [--load]

Reads the webhook receiver's spool (and BSP exports of older history) into a
batch under the landing folder and prints per-stream counts. Directories default
to ``WHATSAPP_SPOOL_DIR`` / ``WHATSAPP_EXPORT_DIR``. Without ``--since`` (or with
``--full-refresh``) everything is read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
from pathlib import Path

from extractors.whatsapp import WhatsappConfig, run_extract


def _date(s: str) -> dt.datetime:
    d = dt.datetime.fromisoformat(s)
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extractors.whatsapp", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spool", default=os.environ.get("WHATSAPP_SPOOL_DIR"), help="the receiver's spool directory")
    ap.add_argument("--export", default=os.environ.get("WHATSAPP_EXPORT_DIR"), help="folder of BSP export *.jsonl")
    ap.add_argument("--since", type=_date, help="read spool days from this date minus the lookback")
    ap.add_argument("--lookback-days", type=float, default=2.0)
    ap.add_argument("--full-refresh", action="store_true", help="read everything and reconcile")
    ap.add_argument("--landing", default=os.environ.get("LANDING_DIR", "data/landing"))
    ap.add_argument("--load", action="store_true", help="load the batch into the warehouse afterwards")
    args = ap.parse_args(argv)
    if not args.spool:
        ap.error("--spool (or WHATSAPP_SPOOL_DIR) is required")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = WhatsappConfig(Path(args.spool), Path(args.export) if args.export else None,
                            dt.timedelta(days=args.lookback_days))
    batch = run_extract(config, Path(args.landing), args.since, full_refresh=args.full_refresh or args.since is None)
    counts = {n: {"records": r.records, "rejected": r.rejected, "watermark": r.watermark}
              for n, r in batch.streams.items()}
    print(json.dumps({"batch": str(batch.folder), "window": batch.window, "streams": counts}, indent=2))
    if args.load:
        import psycopg

        from loaders import load_batch
        from warehouse.config import resolve

        with psycopg.connect(resolve().url) as conn:
            print(json.dumps(load_batch(conn, batch.folder).summary(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
