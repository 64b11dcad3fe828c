"""python -m warehouse {start|stop|status|url|destroy}"""

from __future__ import annotations

import argparse
import logging

from warehouse.config import ensure_databases, local_dir, resolve
from warehouse.embedded import EmbeddedPostgres


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m warehouse", description=__doc__)
    ap.add_argument("command", choices=["start", "stop", "status", "url", "destroy"])
    ap.add_argument("--show-password", action="store_true", help="with url: print the password too")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    pg = EmbeddedPostgres(local_dir() / "warehouse")
    if args.command == "start":
        wh = resolve()
        ensure_databases(wh)
        print(f"warehouse: {wh.redacted()}")
    elif args.command == "stop":
        pg.stop()
        print("warehouse stopped")
    elif args.command == "status":
        print("running" if pg.is_running() else "stopped")
        return 0 if pg.is_running() else 3
    elif args.command == "url":
        wh = resolve(start=False)
        print(wh.url if args.show_password else wh.redacted())
    elif args.command == "destroy":
        pg.destroy()
        print("warehouse removed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
