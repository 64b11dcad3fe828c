"""python -m extractors.registers [--folder DIR] [--full-refresh] [--load]

Reads the register workbooks of ``--folder`` (default ``REGISTERS_FOLDER``) into a
batch under the landing folder and prints per-stream counts. Without
``--full-refresh`` the workbooks already loaded (same sha256, per the warehouse's
``raw.registers__workbooks``) are skipped.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

from extractors.registers import RegistersConfig, loaded_workbooks, run_extract


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extractors.registers", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", type=Path, help="folder holding the register workbooks")
    ap.add_argument("--full-refresh", action="store_true", help="read every workbook and reconcile")
    ap.add_argument("--landing", default=os.environ.get("LANDING_DIR", "data/landing"))
    ap.add_argument("--load", action="store_true", help="load the batch into the warehouse afterwards")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = RegistersConfig(args.folder) if args.folder else RegistersConfig.from_env()
    loaded = {}
    if not args.full_refresh and args.load:
        import psycopg

        from warehouse.config import resolve

        with psycopg.connect(resolve().url) as conn:
            loaded = loaded_workbooks(conn)
    batch, report = run_extract(config, Path(args.landing), loaded, full_refresh=args.full_refresh)
    counts = {n: {"records": r.records, "rejected": r.rejected} for n, r in batch.streams.items()}
    print(json.dumps({"batch": str(batch.folder), "workbooks_read": len(report.read),
                      "workbooks_skipped": len(report.skipped), "duplicates": report.duplicates,
                      "unreadable": report.unreadable, "streams": counts}, indent=2, ensure_ascii=False))
    if args.load:
        import psycopg

        from loaders import load_batch
        from warehouse.config import resolve

        with psycopg.connect(resolve().url) as conn:
            print(json.dumps(load_batch(conn, batch.folder).summary(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
