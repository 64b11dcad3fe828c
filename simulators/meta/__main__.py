"""Run the Graph API stand-in in the foreground.

    python -m simulators.meta --port 8082 --token TOKEN --seed 2023 \
        [--item-error <media or post id>=converted|not_enough_viewers|gone ...] [--token-expires-after N]

``--item-error`` makes that object's insights answer Meta's error about that one
object (code 100/2108006, code 10 "Not enough viewers", code 100/33), every time;
``--token-expires-after N`` answers code 190/463 (session expired) after N requests.
"""

from __future__ import annotations

from simulators.common import cli
from simulators.meta.server import DEFAULT_HOURLY_BUDGET, DEFAULT_VERSION, GraphStandIn, parse_item_errors


def main(argv: list[str] | None = None) -> int:
    p = cli.server_parser(
        "simulators.meta",
        __doc__,
        8082,
        token="secret-token",
        token_help="the access token the stand-in accepts",
    )
    p.add_argument("--now", default=None, help="pretend 'now' (ISO; default the last second of the range)")
    p.add_argument("--version", default=DEFAULT_VERSION, help="API version prefix, e.g. v19.0")
    p.add_argument("--hourly-budget", type=int, default=DEFAULT_HOURLY_BUDGET, help="calls per hour at 100%% usage")
    cli.errors_option(
        p,
        "--item-error",
        "ID=KIND",
        "that media/post's insights answer an error about it (converted, not_enough_viewers, gone)",
    )
    p.add_argument(
        "--token-expires-after",
        type=int,
        default=None,
        metavar="N",
        help="after N requests every request answers code 190 (session expired)",
    )
    args = p.parse_args(argv)
    srv = GraphStandIn(
        **cli.server_args(args),
        access_token=args.token,
        now=args.now,
        version=args.version,
        hourly_budget=args.hourly_budget,
        item_errors=cli.parse_or_exit(p, parse_item_errors, args.item_error),
    ).start()
    if args.token_expires_after is not None:
        srv.faults.token_error(after=args.token_expires_after)
    note = f"Graph API stand-in on {srv.base_url} (ig {srv.ig_user_id}, page {srv.page_id}); Ctrl-C stops it"
    return cli.serve(srv, note, url_line=False)


if __name__ == "__main__":
    raise SystemExit(main())
