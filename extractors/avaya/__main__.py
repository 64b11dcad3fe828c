"""python -m extractors.avaya [--path DIR] [--full-refresh] [--load]

Reads the Avaya landing folder (``--path`` or ``AVAYA_LANDING_PATH``) into a batch
under the landing folder and prints per-stream counts. Without ``--full-refresh``
the files already loaded (same name and sha256 in ``raw.avaya__files``) are skipped,
which needs the warehouse (``WAREHOUSE_URL`` or the embedded one).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

from extractors.avaya import AvayaConfig, loaded_files, run_extract
from extractors.avaya.folders import LocalFolder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extractors.avaya", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--path", help="landing folder with cms/ and cdr/ (default: $AVAYA_LANDING_PATH)")
    ap.add_argument("--full-refresh", action="store_true", help="read every file again, loaded or not")
    ap.add_argument("--landing", default=os.environ.get("LANDING_DIR", "data/landing"), help="where batches go")
    ap.add_argument("--load", action="store_true", help="load the batch into the warehouse afterwards")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = AvayaConfig(LocalFolder(Path(args.path))) if args.path else AvayaConfig.from_env()
    loaded: dict[str, str] = {}
    if not args.full_refresh:
        import psycopg

        from warehouse.config import resolve

        with psycopg.connect(resolve().url) as conn:
            loaded = loaded_files(conn)
    batch = run_extract(config, Path(args.landing), loaded, full_refresh=args.full_refresh)
    counts = {n: {"records": r.records, "rejected": r.rejected, "files": r.pages} for n, r in batch.streams.items()}
    print(json.dumps({"batch": str(batch.folder), "files_read": batch.window["files_read"],
                      "files_skipped": batch.window["files_skipped"], "streams": counts}, indent=2))
    if args.load:
        import psycopg

        from loaders import load_batch
        from warehouse.config import resolve

        with psycopg.connect(resolve().url) as conn:
            print(json.dumps(load_batch(conn, batch.folder).summary(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
