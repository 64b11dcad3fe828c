"""python -m extractors.meta [--since 2023-12-01 --until 2024-01-01 | --full-refresh] [--load]

Extracts Instagram and Facebook Page data from the Graph API at ``META_GRAPH_URL``
(default https://graph.facebook.com/v19.0) with ``META_ACCESS_TOKEN`` for
``META_IG_USER_ID`` and/or ``META_PAGE_ID`` into a batch under the landing folder,
and prints per-stream counts and the metrics the API rejected (dropped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
from pathlib import Path

from extractors.meta import MetaConfig, run_extract


def _date(s: str) -> dt.datetime:
    d = dt.datetime.fromisoformat(s)
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extractors.meta", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--since", type=_date, help="window start (ISO date/time, UTC if no offset)")
    ap.add_argument("--until", type=_date, help="window end (default: now)")
    ap.add_argument("--full-refresh", action="store_true", help="read all media/posts and the insights history")
    ap.add_argument("--landing", default=os.environ.get("LANDING_DIR", "data/landing"))
    ap.add_argument("--load", action="store_true", help="load the batch into the warehouse afterwards")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.since is None and not args.full_refresh:
        ap.error("give --since (and --until) or --full-refresh")
    batch = run_extract(MetaConfig.from_env(), Path(args.landing), args.since, args.until,
                        full_refresh=args.full_refresh)
    counts = {n: {"records": r.records, "rejected": r.rejected, "pages": r.pages, "watermark": r.watermark}
              for n, r in batch.streams.items()}
    print(json.dumps({"batch": str(batch.folder), "requests": batch.requests, "streams": counts,
                      "dropped_metrics": batch.window.get("dropped_metrics", [])}, indent=2))
    if args.load:
        import psycopg

        from loaders import load_batch
        from warehouse.config import resolve

        with psycopg.connect(resolve().url) as conn:
            print(json.dumps(load_batch(conn, batch.folder).summary(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
