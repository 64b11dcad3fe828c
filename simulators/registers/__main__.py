"""python -m simulators.registers --out DIR [--seed 2023] [--start 2022-12-01] [--end 2024-01-01] [--no-mess]

Writes the register workbooks of the seeded world into DIR and lists them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulators.registers.workbooks import write_workbooks
from simulators.scenario.registers import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulators.registers", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--start", default=DEFAULT_START)
    ap.add_argument("--end", default=DEFAULT_END)
    ap.add_argument("--no-mess", action="store_true", help="no copy and no lock file in the folder")
    args = ap.parse_args(argv)
    for path in write_workbooks(generate(args.seed, args.start, args.end), args.out, mess=not args.no_mess):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
