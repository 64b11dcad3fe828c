"""Run the WordPress REST API stand-in in the foreground.

python -m simulators.cms --port 8083 --seed 2023
"""

from __future__ import annotations

import sys

from simulators.cms.server import WordPressStandIn
from simulators.common import cli


def main(argv: list[str] | None = None) -> int:
    p = cli.server_parser("simulators.cms", __doc__, 8083)
    p.add_argument("--as-of", default=None, help="the stand-in's 'now' (ISO; default end + 14 days)")
    p.add_argument(
        "--application-password",
        metavar="USER:PASSWORD",
        help="accept this WordPress application password (anonymous reads stay allowed)",
    )
    args = p.parse_args(argv)
    app = tuple(args.application_password.split(":", 1)) if args.application_password else None
    srv = WordPressStandIn(
        **cli.server_args(args),
        as_of=args.as_of,
        application_password=app,
    ).start()
    return cli.serve(
        srv, f"{len(srv.published())} published posts under {srv.base_url}/wp-json/wp/v2/posts; Ctrl-C stops"
    )


if __name__ == "__main__":
    sys.exit(main())
