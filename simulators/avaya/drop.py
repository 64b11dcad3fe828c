"""The Avaya landing folder as the contact center's servers fill it.

``AvayaStandIn`` writes, for every day of the range, what the nightly CMS
export job and the CDR collector leave in the landing folder:

    cms/hsplit_YYYYMMDD.csv   CMS hsplit rows of the day (both splits, 07:00-18:00)
    cms/hagent_YYYYMMDD.csv   CMS hagent rows of the day (logged-in agents)
    cdr/cdr_YYYYMMDD.txt      CM CDR records that ended that day, customized layout,
                              CR LF, closed by "#EOF records=<n>"

Files are written atomically (temporary name, then rename), as the real jobs
must, and byte-identically for the same seed. Fault helpers damage or correct a
file the way a broken transfer or a re-export would.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from extractors.avaya import cdr as cdr_format, cms as cms_format
from extractors.avaya.layout import CUSTOMIZED
from simulators.scenario.avaya import AvayaScenario, AvayaWorld, CdrLine
from simulators.scenario.world import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, iter_months


def hsplit_name(day: date) -> str:
    return f"cms/hsplit_{day:%Y%m%d}.csv"


def hagent_name(day: date) -> str:
    return f"cms/hagent_{day:%Y%m%d}.csv"


def cdr_name(day: date) -> str:
    return f"cdr/cdr_{day:%Y%m%d}.txt"


def cdr_text(line: CdrLine) -> str:
    text = CUSTOMIZED.format(line.values)
    return text[:40] + text[47:] if line.garbled else text  # the collector lost 7 characters


class AvayaStandIn:
    """The landing folder of the simulated call center (no server: files, like the real drop)."""

    def __init__(
        self,
        folder: Path,
        seed: int = DEFAULT_SEED,
        start: str = DEFAULT_START,
        end: str = DEFAULT_END,
        mess: bool = True,
    ) -> None:
        self.folder = Path(folder)
        self.seed = seed
        self.start, self.end = start, end
        self.scenario = AvayaScenario(seed, mess)
        self.world = AvayaWorld(seed)
        self.files: list[str] = []

    def write(self) -> AvayaStandIn:
        """Write every day's files of the range; return self."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.world = AvayaWorld(self.seed)
        self.files = []
        for month in iter_months(self.start, self.end):
            m = self.scenario.month(month)
            self.world.months.append(m)
            cdr_days = m.cdr_by_day()
            hsplit_days, hagent_days = m.rows_by_day(m.hsplit), m.rows_by_day(m.hagent)
            for day in m.days():
                self._put(hsplit_name(day), cms_format.write_file(hsplit_days.get(day, []), cms_format.HSPLIT_COLUMNS))
                self._put(hagent_name(day), cms_format.write_file(hagent_days.get(day, []), cms_format.HAGENT_COLUMNS))
                self._put(cdr_name(day), cdr_format.write_file([cdr_text(r) for r in cdr_days.get(day, [])]))
        return self

    def __enter__(self) -> AvayaStandIn:
        return self.write()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Nothing runs in the background: the files stay for inspection."""

    def _put(self, name: str, data: bytes) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(name)
        if path.exists() and path.read_bytes() == data:
            return
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    # ------------------------------------------------------------------ faults

    def path(self, name: str) -> Path:
        return self.folder / name

    def truncate(self, name: str, drop_bytes: int = 30) -> None:
        """Cut the end of a file off, as a broken transfer does (mid-record)."""
        p = self.path(name)
        p.write_bytes(p.read_bytes()[:-drop_bytes])

    def drop_trailer(self, name: str) -> None:
        """Remove a CDR file's closing ``#EOF`` line (the collector died before closing it)."""
        p = self.path(name)
        lines = p.read_bytes().split(b"\r\n")
        p.write_bytes(b"\r\n".join(lines[:-2]) + b"\r\n")

    def replace_line(self, name: str, line_no: int, text: str) -> None:
        """Replace line ``line_no`` (1-based) of a file, keeping its line end."""
        p = self.path(name)
        lines = p.read_bytes().decode("latin-1").split("\r\n")
        lines[line_no - 1] = text
        p.write_bytes("\r\n".join(lines).encode("latin-1"))

    def lines(self, name: str) -> list[str]:
        return self.path(name).read_bytes().decode("latin-1").split("\r\n")[:-1]
