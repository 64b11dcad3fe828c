"""Write the Avaya landing folder of the simulated world.

    python -m simulators.avaya /tmp/avaya-drop --seed 2023 [--start 2022-12-01] [--end 2024-01-01] [--no-mess]

Then: ``python -m extractors run avaya --full-refresh`` with connection ``avaya_files`` on that folder.
"""

from __future__ import annotations

from pathlib import Path

from simulators.avaya import AvayaStandIn
from simulators.common import cli


def main(argv: list[str] | None = None) -> int:
    p = cli.parser("simulators.avaya", __doc__)
    p.add_argument("folder", type=Path)
    p.add_argument("--no-mess", action="store_true", help="no garbled or re-sent CDR records")
    args = p.parse_args(argv)
    drop = AvayaStandIn(args.folder, args.seed, args.start, args.end, mess=not args.no_mess).write()
    print(f"{len(drop.files)} files in {drop.folder}")
    for (queue, month), f in sorted(drop.world.figures.items()):
        print(f"{queue:12} {month}  answered {f.answered:4}  abandoned {f.abandoned:3}  offered {f.offered:4}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
