"""python -m loaders <batch folder or manifest.json> [...]: load batches into raw.*"""

from __future__ import annotations

import argparse
import json
import logging

import psycopg

from loaders.postgres import load_batch
from warehouse.config import resolve


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m loaders", description=__doc__)
    ap.add_argument("batches", nargs="+")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    wh = resolve()
    with psycopg.connect(wh.url) as conn:
        for b in args.batches:
            print(json.dumps(load_batch(conn, b).summary(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
