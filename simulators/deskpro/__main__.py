"""Run the Deskpro stand-in in the foreground.

python -m simulators.deskpro --port 8081 --api-key KEY --seed 2023
"""

from __future__ import annotations

import sys

from simulators.common import cli
from simulators.deskpro.server import META_STYLES, DeskproStandIn


def main(argv: list[str] | None = None) -> int:
    p = cli.server_parser("simulators.deskpro", __doc__, 8081)
    p.add_argument("--api-key", default="secret-key")
    p.add_argument("--as-of", default=None, help="pretend 'now' (ISO datetime; default end + 14 days)")
    p.add_argument("--meta-style", choices=META_STYLES, default="pagination")
    p.add_argument("--no-mess", action="store_true", help="no spam/deleted/late/typo/boundary tickets")
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND:PAGE",
        help="a /tickets page that answers wrong: empty:2, short:3 (one record missing), "
        "drift:4 (the total grows); repeatable",
    )
    args = p.parse_args(argv)

    srv = DeskproStandIn(
        **cli.server_args(args),
        api_key=args.api_key,
        as_of=args.as_of,
        meta_style=args.meta_style,
        mess=not args.no_mess,
    )
    for fault in args.fault:
        kind, _, page = fault.partition(":")
        srv.faults.page(kind, page=int(page or 2))
    srv.start()
    return cli.serve(srv, f"tickets: {len(srv.world.tickets)}, as_of: {srv.as_of.isoformat()}; Ctrl-C stops")


if __name__ == "__main__":
    sys.exit(main())
