"""Run the GA4 Data API stand-in in the foreground.

    python -m simulators.ga4 --port 8082 --token TOKEN --seed 2023 [--report-error 2023-11-01[=INVALID_ARGUMENT] ...]

``--report-error`` makes every report whose date range starts on that day answer
400 with that status (a per-report error the extractor skips with its reason).
"""

from __future__ import annotations

import sys

from simulators.common import cli
from simulators.ga4.server import Ga4StandIn, parse_report_errors
from simulators.scenario.website import PROPERTY_ID


def main(argv: list[str] | None = None) -> int:
    p = cli.server_parser(
        "simulators.ga4", __doc__, 8082, token="secret-token", token_help="the bearer token it accepts"
    )
    p.add_argument("--property-id", default=PROPERTY_ID)
    p.add_argument("--as-of", default=None, help="the stand-in's 'today' (default end + 14 days)")
    cli.errors_option(
        p,
        "--report-error",
        "DAY[=STATUS]",
        "reports whose date range starts that day answer 400 (INVALID_ARGUMENT by default)",
    )
    args = p.parse_args(argv)
    srv = Ga4StandIn(
        **cli.server_args(args),
        token=args.token,
        property_id=args.property_id,
        as_of=args.as_of,
        report_errors=cli.parse_or_exit(p, parse_report_errors, args.report_error),
    ).start()
    pid = srv.property_id
    return cli.serve(srv, f"property {pid}; POST {srv.base_url}/properties/{pid}:runReport; Ctrl-C stops")


if __name__ == "__main__":
    sys.exit(main())
