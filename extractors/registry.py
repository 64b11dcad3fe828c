"""Every source, once: the DAG factory, the CLI and the contract test iterate this list.

Adding a source: write ``extractors/<source>/source.py`` declaring ``SOURCE`` and
add its module name here (docs/adding-a-source.md).
"""

from __future__ import annotations

import importlib

from extractors.common.source import Source

NAMES = ("deskpro", "whatsapp", "avaya", "email_lapor", "meta", "x", "ga4", "cms", "registers", "employee_advocacy")

SOURCES: tuple[Source, ...] = tuple(importlib.import_module(f"extractors.{n}.source").SOURCE for n in NAMES)
_BY_NAME = {s.name: s for s in SOURCES}


def get(name: str) -> Source:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise SystemExit(f"no source {name!r}; the sources are: {', '.join(NAMES)}") from None
