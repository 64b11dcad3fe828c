"""The dlt peer of ``bench.loader``: the same batch CSVs through dlt's Postgres destination.

    .venv-bench/bin/python bench/loader_peer.py --url URL --first FIRST.csv --daily DAILY.csv [--format F]

Runs in ``.venv-bench`` (``make bench-install``: dlt, never a dependency of the product), started
by ``python -m bench.loader --peer dlt``, which passes a fresh database of its own on the same
server. Standard library and dlt only: the project's venv and this one share nothing.

One resource, ``tickets``, ``write_disposition="merge"``, ``primary_key="id"``, ``record`` a
``json`` column (jsonb), the other columns typed as the loader types them; its rows are the
CSV's rows (``csv.DictReader``, ``record`` parsed with ``json.loads``). Two runs of the same
pipeline: FIRST into the empty dataset (the first load), then DAILY (the daily merge). Each
run is timed whole (extract + normalize + load, ``pipeline.run``) and per step; one JSON line
per run goes to stdout.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt  # noqa: E402

csv.field_size_limit(sys.maxsize)


def rows(path: str):
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            yield {
                "id": int(r["id"]),
                "date_status": dt.datetime.fromisoformat(r["date_status"]) if r["date_status"] else None,
                "_seq": int(r["_seq"]),
                "_request": r["_request"],
                "record": json.loads(r["record"]),
            }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/loader_peer.py")
    ap.add_argument("--url", required=True, help="postgresql://... of a database for dlt alone")
    ap.add_argument("--first", required=True)
    ap.add_argument("--daily", required=True)
    ap.add_argument("--format", default=None, help="dlt loader_file_format (default: the destination's, insert_values)")
    args = ap.parse_args(argv)
    pipes = tempfile.mkdtemp(prefix="bench-dlt-")
    pipeline = dlt.pipeline(
        pipeline_name="bench_loader_peer",
        pipelines_dir=pipes,
        destination=dlt.destinations.postgres(credentials=args.url),
        dataset_name="raw_dlt",
        dev_mode=False,
    )
    columns = {
        "id": {"data_type": "bigint", "nullable": False},
        "date_status": {"data_type": "timestamp"},
        "_seq": {"data_type": "bigint"},
        "_request": {"data_type": "text"},
        "record": {"data_type": "json"},
    }
    for label, path in (("first", args.first), ("daily", args.daily)):
        res = dlt.resource(rows(path), name="tickets", write_disposition="merge", primary_key="id", columns=columns)
        steps = {}
        t0 = time.perf_counter()
        pipeline.extract(res)
        steps["extract"] = time.perf_counter() - t0
        t = time.perf_counter()
        pipeline.normalize(loader_file_format=args.format) if args.format else pipeline.normalize()
        steps["normalize"] = time.perf_counter() - t
        t = time.perf_counter()
        info = pipeline.load()
        steps["load"] = time.perf_counter() - t
        total = time.perf_counter() - t0
        info.raise_on_failed_jobs()
        with pipeline.sql_client() as c:
            count = c.execute_sql("select count(*) from tickets")[0][0]
        print(json.dumps({"run": label, "seconds": total, "steps": steps, "rows_in_table": count}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
