"""Run the GA4 Data API stand-in in the foreground.

    python -m simulators.ga4 --port 8082 --token TOKEN --seed 2023 [--report-error 2023-11-01[=INVALID_ARGUMENT] ...]

``--report-error`` makes every report whose date range starts on that day answer
400 with that status (a per-report error the extractor skips with its reason).
"""

from __future__ import annotations

import argparse
import sys

from simulators.ga4.server import Ga4StandIn, parse_report_errors
from simulators.scenario.website import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, PROPERTY_ID


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m simulators.ga4", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8082, help="0 = any free port (default 8082)")
    p.add_argument("--token", default="secret-token", help="the bearer token it accepts")
    p.add_argument("--property-id", default=PROPERTY_ID)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--start", default=DEFAULT_START)
    p.add_argument("--end", default=DEFAULT_END, help="exclusive")
    p.add_argument("--as-of", default=None, help="the stand-in's 'today' (default end + 14 days)")
    p.add_argument("--report-error", action="append", default=[], metavar="DAY[=STATUS]",
                   help="reports whose date range starts that day answer 400 (INVALID_ARGUMENT by default)")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)
    try:
        report_errors = parse_report_errors(args.report_error)
    except ValueError as exc:
        p.error(str(exc))
    srv = Ga4StandIn(seed=args.seed, token=args.token, property_id=args.property_id, start=args.start,
                     end=args.end, as_of=args.as_of, host=args.host, port=args.port, verbose=args.verbose,
                     report_errors=report_errors)
    srv.start()
    print(srv.base_url, flush=True)
    print(f"property {srv.property_id}; POST {srv.base_url}/properties/{srv.property_id}:runReport; Ctrl-C stops",
          file=sys.stderr, flush=True)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
