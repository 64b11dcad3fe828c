"""python -m extractors.x [--since 2023-12-01 --until 2024-01-01 | --full-refresh] [--load]

Extracts @DitjenPK's posts and follower snapshot from the X API v2 at ``X_API_URL``
(default https://api.x.com/2) with ``X_BEARER_TOKEN`` (``X_USERNAME``, default
DitjenPK), and the analytics CSV exports in ``X_ANALYTICS_DIR``, into a batch
under the landing folder, and prints per-stream counts and the request count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
from pathlib import Path

from extractors.x import XConfig, run_extract


def _date(s: str) -> dt.datetime:
    d = dt.datetime.fromisoformat(s)
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extractors.x", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--since", type=_date, help="window start (ISO date/time, UTC if no offset)")
    ap.add_argument("--until", type=_date, help="window end (default: now)")
    ap.add_argument("--full-refresh", action="store_true", help="read the whole timeline (latest 3,200 posts)")
    ap.add_argument("--landing", default=os.environ.get("LANDING_DIR", "data/landing"))
    ap.add_argument("--load", action="store_true", help="load the batch into the warehouse afterwards")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.since is None and not args.full_refresh:
        ap.error("give --since (and --until) or --full-refresh")
    batch = run_extract(XConfig.from_env(), Path(args.landing), args.since, args.until,
                        full_refresh=args.full_refresh)
    counts = {n: {"records": r.records, "rejected": r.rejected, "pages": r.pages, "watermark": r.watermark}
              for n, r in batch.streams.items()}
    print(json.dumps({"batch": str(batch.folder), "requests": batch.requests, "streams": counts}, indent=2))
    if args.load:
        import psycopg

        from loaders import load_batch
        from warehouse.config import resolve

        with psycopg.connect(resolve().url) as conn:
            print(json.dumps(load_batch(conn, batch.folder).summary(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
