"""The command line every stand-in's ``__main__`` shares: one parser, the seeded range, serving."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from simulators.scenario.world import DEFAULT_END, DEFAULT_SEED, DEFAULT_START


def parser(module: str, doc: str | None) -> argparse.ArgumentParser:
    """``python -m <module>`` with the seeded world's ``--seed``, ``--start``, ``--end`` (exclusive, month-granular)."""
    p = argparse.ArgumentParser(
        prog=f"python -m {module}", description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--start", default=DEFAULT_START, help="first day (month-granular)")
    p.add_argument("--end", default=DEFAULT_END, help="end day, exclusive (month-granular)")
    return p


def server_parser(
    module: str, doc: str | None, port: int, token: str | None = None, token_help: str = ""
) -> argparse.ArgumentParser:
    """`parser` plus ``--host``, ``--port``, ``--verbose`` and, where the stand-in checks one, ``--token``."""
    p = parser(module, doc)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=port, help=f"0 = any free port (default {port})")
    if token is not None:
        p.add_argument("--token", default=token, help=token_help)
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return p


def server_args(args: argparse.Namespace) -> dict[str, Any]:
    """What every HTTP stand-in's constructor takes from a `server_parser` command line."""
    return {k: getattr(args, k) for k in ("seed", "start", "end", "host", "port", "verbose")}


def errors_option(p: argparse.ArgumentParser, flag: str, metavar: str, help: str) -> None:
    """A repeatable ``flag`` whose values (``metavar``) name what answers an error; see `parse_or_exit`."""
    p.add_argument(flag, action="append", default=[], metavar=metavar, help=help)


def parse_id_kinds(specs: list[str], flag: str, what: str, kinds: tuple[str, ...]) -> dict[str, str]:
    """``["<what>=<kind>", ...]`` (the command line's repeated ``flag``) as ``{what: kind}``."""
    out = {}
    for spec in specs:
        key, sep, kind = spec.partition("=")
        if not sep or kind not in kinds:
            raise ValueError(f"{flag} {spec!r}: expected <{what}>=<{'|'.join(kinds)}>")
        out[key.strip()] = kind
    return out


def parse_or_exit(p: argparse.ArgumentParser, parse: Callable[[list[str]], Any], values: list[str]) -> Any:
    """``parse(values)``; a ValueError ends the command with argparse's usage error."""
    try:
        return parse(values)
    except ValueError as exc:
        p.error(str(exc))


def serve(srv: Any, note: str, url_line: bool = True) -> int:
    """Print the base URL (stdout) and ``note`` (stderr), or ``note`` alone on stdout; serve until Ctrl-C."""
    if url_line:
        print(srv.base_url, flush=True)
        print(note, file=sys.stderr, flush=True)
    else:
        print(note, flush=True)
    srv.serve_forever()
    return 0
