"""python -m extractors.cms --since 2023-12-01 [--load]

Extracts posts and categories from the CMS at ``CMS_URL`` (the site root;
``CMS_KIND`` defaults to ``wordpress``; ``CMS_USER`` + ``CMS_APP_PASSWORD`` when
the site needs credentials) into a batch under the landing folder and prints
per-stream counts. Without ``--since`` the window starts at the warehouse's
watermark of ``posts``; ``--full-refresh`` reads every published post.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
from pathlib import Path

from extractors.cms import SOURCE, CmsConfig, counts, run_extract


def _date(s: str) -> dt.datetime:
    d = dt.datetime.fromisoformat(s)
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extractors.cms", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--since", type=_date, help="posts modified since (ISO date/time, UTC if no offset)")
    ap.add_argument("--until", type=_date, help="window end, recorded in the batch")
    ap.add_argument("--full-refresh", action="store_true", help="read every published post and reconcile")
    ap.add_argument("--landing", default=os.environ.get("LANDING_DIR", "data/landing"))
    ap.add_argument("--load", action="store_true", help="load the batch into the warehouse afterwards")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = CmsConfig.from_env()
    since = args.since
    if since is None and not args.full_refresh:
        import psycopg

        from loaders import get_watermark
        from warehouse.config import resolve

        with psycopg.connect(resolve().url) as conn:
            since = get_watermark(conn, SOURCE, "posts")
    batch = run_extract(config, Path(args.landing), since, args.until, full_refresh=args.full_refresh or since is None)
    print(counts(batch))
    if args.load:
        import psycopg

        from loaders import load_batch
        from warehouse.config import resolve

        with psycopg.connect(resolve().url) as conn:
            print(json.dumps(load_batch(conn, batch.folder).summary(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
