"""Run the Graph API stand-in in the foreground.

    python -m simulators.meta --port 8082 --token TOKEN --seed 2023 \
        [--item-error <media or post id>=converted|not_enough_viewers|gone ...] [--token-expires-after N]

``--item-error`` makes that object's insights answer Meta's error about that one
object (code 100/2108006, code 10 "Not enough viewers", code 100/33), every time;
``--token-expires-after N`` answers code 190/463 (session expired) after N requests.
"""

from __future__ import annotations

import argparse

from simulators.meta.server import DEFAULT_HOURLY_BUDGET, DEFAULT_VERSION, GraphStandIn, parse_item_errors
from simulators.scenario.social import DEFAULT_END, DEFAULT_SEED, DEFAULT_START


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m simulators.meta", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8082, help="0 = any free port (default 8082)")
    p.add_argument("--token", default="secret-token", help="the access token the stand-in accepts")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--start", default=DEFAULT_START)
    p.add_argument("--end", default=DEFAULT_END, help="exclusive, month-granular")
    p.add_argument("--now", default=None, help="pretend 'now' (ISO; default the last second of the range)")
    p.add_argument("--version", default=DEFAULT_VERSION, help="API version prefix, e.g. v19.0")
    p.add_argument("--hourly-budget", type=int, default=DEFAULT_HOURLY_BUDGET, help="calls per hour at 100%% usage")
    p.add_argument("--item-error", action="append", default=[], metavar="ID=KIND",
                   help="that media/post's insights answer an error about it (converted, not_enough_viewers, gone)")
    p.add_argument("--token-expires-after", type=int, default=None, metavar="N",
                   help="after N requests every request answers code 190 (session expired)")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)
    try:
        item_errors = parse_item_errors(args.item_error)
    except ValueError as exc:
        p.error(str(exc))
    srv = GraphStandIn(seed=args.seed, access_token=args.token, start=args.start, end=args.end, now=args.now,
                       version=args.version, hourly_budget=args.hourly_budget, host=args.host, port=args.port,
                       verbose=args.verbose, item_errors=item_errors).start()
    if args.token_expires_after is not None:
        srv.faults.token_error(after=args.token_expires_after)
    print(f"Graph API stand-in on {srv.base_url} (ig {srv.ig_user_id}, page {srv.page_id}); Ctrl-C stops it",
          flush=True)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
