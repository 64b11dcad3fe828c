"""python -m simulators.registers --out DIR [--seed 2023] [--start 2022-12-01] [--end 2024-01-01] [--no-mess]

Writes the register workbooks of the seeded world into DIR and lists them.
"""

from __future__ import annotations

from pathlib import Path

from simulators.common import cli
from simulators.registers.workbooks import write_workbooks
from simulators.scenario.registers import generate


def main(argv: list[str] | None = None) -> int:
    ap = cli.parser("simulators.registers", __doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--no-mess", action="store_true", help="no copy and no lock file in the folder")
    args = ap.parse_args(argv)
    for path in write_workbooks(generate(args.seed, args.start, args.end), args.out, mess=not args.no_mess):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
