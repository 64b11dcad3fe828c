"""Run the X API v2 stand-in in the foreground (and drop the analytics CSV exports).

    python -m simulators.x --port 8083 --token TOKEN --seed 2023 [--exports DIR] [--history DIR]
        [--tweet-error <tweet id>=not_found|not_authorized|field ...]

``--tweet-error`` makes every timeline page holding that post carry X's partial
error about it beside ``data``; ``--history`` writes the daily follower snapshots
before "now" (the extractor's ``history_dir``).
"""

from __future__ import annotations

from simulators.common import cli
from simulators.x.server import XStandIn, parse_tweet_errors


def main(argv: list[str] | None = None) -> int:
    p = cli.server_parser(
        "simulators.x", __doc__, 8083, token="secret-bearer", token_help="the Bearer token the stand-in accepts"
    )
    p.add_argument("--now", default=None, help="pretend 'now' (ISO; default the last second of the range)")
    p.add_argument("--exports", default=None, help="folder to drop the analytics CSV exports into")
    p.add_argument("--history", default=None, help="folder to write the earlier follower snapshots into")
    cli.errors_option(
        p, "--tweet-error", "ID=KIND", "a partial error about that post (not_found, not_authorized, field)"
    )
    args = p.parse_args(argv)
    srv = XStandIn(
        **cli.server_args(args),
        bearer_token=args.token,
        now=args.now,
        tweet_errors=cli.parse_or_exit(p, parse_tweet_errors, args.tweet_error),
    ).start()
    if args.history:
        print(f"earlier snapshots: {srv.write_capture_history(args.history)} days in {args.history}")
    if args.exports:
        print(f"analytics exports: {len(srv.write_analytics_exports(args.exports))} files in {args.exports}")
    return cli.serve(srv, f"X API v2 stand-in on {srv.base_url} (@{srv.username}); Ctrl-C stops it", url_line=False)


if __name__ == "__main__":
    raise SystemExit(main())
