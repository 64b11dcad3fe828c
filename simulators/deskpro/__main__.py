"""Run the Deskpro stand-in in the foreground.

    python -m simulators.deskpro --port 8081 --api-key KEY --seed 2023
"""

from __future__ import annotations

import argparse
import sys

from simulators.deskpro.server import META_STYLES, DeskproStandIn
from simulators.scenario.deskpro import DEFAULT_END, DEFAULT_SEED, DEFAULT_START


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m simulators.deskpro", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081, help="0 = any free port (default 8081)")
    p.add_argument("--api-key", default="secret-key")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--start", default=DEFAULT_START, help="first day (month-granular)")
    p.add_argument("--end", default=DEFAULT_END, help="end day, exclusive (month-granular)")
    p.add_argument("--as-of", default=None, help="pretend 'now' (ISO datetime; default end + 14 days)")
    p.add_argument("--meta-style", choices=META_STYLES, default="pagination")
    p.add_argument("--no-mess", action="store_true", help="no spam/deleted/late/typo/boundary tickets")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    p.add_argument("--fault", action="append", default=[], metavar="KIND:PAGE",
                   help="a /tickets page that answers wrong: empty:2, short:3 (one record missing), "
                        "drift:4 (the total grows); repeatable")
    args = p.parse_args(argv)

    srv = DeskproStandIn(seed=args.seed, api_key=args.api_key, start=args.start, end=args.end,
                         as_of=args.as_of, meta_style=args.meta_style, mess=not args.no_mess,
                         host=args.host, port=args.port, verbose=args.verbose)
    for fault in args.fault:
        kind, _, page = fault.partition(":")
        srv.faults.page(kind, page=int(page or 2))
    srv.start()
    print(srv.base_url, flush=True)
    print(f"tickets: {len(srv.world.tickets)}, as_of: {srv.as_of.isoformat()}; Ctrl-C stops", file=sys.stderr,
          flush=True)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
