"""python -m extractors.email_lapor [--full-refresh] [--load]

Pulls the Email Lapor mailbox (``EMAIL_LAPOR_IMAP_HOST``, ``_PORT``, ``_USER``,
``_PASSWORD``, ``_MAILBOX``, ``_SECURITY`` = ssl|starttls|none) into a batch under
the landing folder and prints per-stream counts. The cursor (UIDVALIDITY, last
UID) is read from the warehouse when it is reachable; ``--full-refresh`` reads
every message.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

from extractors.email_lapor import ImapConfig, read_state, run_extract


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extractors.email_lapor", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full-refresh", action="store_true", help="read every message of the mailbox")
    ap.add_argument("--no-state", action="store_true", help="do not read the cursor from the warehouse")
    ap.add_argument("--landing", default=os.environ.get("LANDING_DIR", "data/landing"))
    ap.add_argument("--load", action="store_true", help="load the batch into the warehouse afterwards")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = ImapConfig.from_env()
    state = None
    if not (args.full_refresh or args.no_state):
        import psycopg

        from warehouse.config import resolve

        with psycopg.connect(resolve().url) as conn:
            state = read_state(conn, config.mailbox_key)
    batch = run_extract(config, Path(args.landing), state, full_refresh=args.full_refresh)
    counts = {n: {"records": r.records, "rejected": r.rejected, "fetches": r.pages, "watermark": r.watermark}
              for n, r in batch.streams.items()}
    print(json.dumps({"batch": str(batch.folder), "commands": batch.requests, "window": batch.window,
                      "streams": counts}, indent=2))
    if args.load:
        import psycopg

        from loaders import load_batch
        from warehouse.config import resolve

        with psycopg.connect(resolve().url) as conn:
            print(json.dumps(load_batch(conn, batch.folder).summary(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
