"""Run the WordPress REST API stand-in in the foreground.

    python -m simulators.cms --port 8083 --seed 2023
"""

from __future__ import annotations

import argparse
import sys

from simulators.cms.server import WordPressStandIn
from simulators.scenario.website import DEFAULT_END, DEFAULT_SEED, DEFAULT_START


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m simulators.cms", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8083, help="0 = any free port (default 8083)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--start", default=DEFAULT_START)
    p.add_argument("--end", default=DEFAULT_END, help="exclusive")
    p.add_argument("--as-of", default=None, help="the stand-in's 'now' (ISO; default end + 14 days)")
    p.add_argument("--application-password", metavar="USER:PASSWORD",
                   help="accept this WordPress application password (anonymous reads stay allowed)")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)
    app = tuple(args.application_password.split(":", 1)) if args.application_password else None
    srv = WordPressStandIn(seed=args.seed, start=args.start, end=args.end, as_of=args.as_of,
                           application_password=app, host=args.host, port=args.port, verbose=args.verbose)
    srv.start()
    print(srv.base_url, flush=True)
    print(f"{len(srv.published())} published posts under {srv.base_url}/wp-json/wp/v2/posts; Ctrl-C stops",
          file=sys.stderr, flush=True)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
