"""Run the X API v2 stand-in in the foreground (and drop the analytics CSV exports).

    python -m simulators.x --port 8083 --token TOKEN --seed 2023 [--exports DIR] [--history DIR]
        [--tweet-error <tweet id>=not_found|not_authorized|field ...]

``--tweet-error`` makes every timeline page holding that post carry X's partial
error about it beside ``data``; ``--history`` writes the daily follower snapshots
before "now" (the extractor's ``history_dir``).
"""

from __future__ import annotations

import argparse

from simulators.scenario.social import DEFAULT_END, DEFAULT_SEED, DEFAULT_START
from simulators.x.server import XStandIn, parse_tweet_errors


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m simulators.x", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8083, help="0 = any free port (default 8083)")
    p.add_argument("--token", default="secret-bearer", help="the Bearer token the stand-in accepts")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--start", default=DEFAULT_START)
    p.add_argument("--end", default=DEFAULT_END, help="exclusive, month-granular")
    p.add_argument("--now", default=None, help="pretend 'now' (ISO; default the last second of the range)")
    p.add_argument("--exports", default=None, help="folder to drop the analytics CSV exports into")
    p.add_argument("--history", default=None, help="folder to write the earlier follower snapshots into")
    p.add_argument("--tweet-error", action="append", default=[], metavar="ID=KIND",
                   help="a partial error about that post (not_found, not_authorized, field)")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)
    try:
        tweet_errors = parse_tweet_errors(args.tweet_error)
    except ValueError as exc:
        p.error(str(exc))
    srv = XStandIn(seed=args.seed, bearer_token=args.token, start=args.start, end=args.end, now=args.now,
                   host=args.host, port=args.port, verbose=args.verbose, tweet_errors=tweet_errors).start()
    if args.history:
        print(f"earlier snapshots: {srv.write_capture_history(args.history)} days in {args.history}")
    if args.exports:
        print(f"analytics exports: {len(srv.write_analytics_exports(args.exports))} files in {args.exports}")
    print(f"X API v2 stand-in on {srv.base_url} (@{srv.username}); Ctrl-C stops it", flush=True)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
