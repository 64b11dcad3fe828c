"""Discovery of the source stand-ins a local run starts.

Each ``simulators/<source>/stand_in.py`` exposes:

    CONN_ENVS: list[str]          # the Airflow connection variables it provides
    def start(seed: int, workdir: Path) -> RunningStandIn

``pipeline`` starts every stand-in whose connections are not already configured
(a configured connection means: use the real system), puts their ``env`` into the
environment for the run, and calls ``stop`` at the end, last started first.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

import simulators


@dataclass
class RunningStandIn:
    name: str
    env: dict[str, str]
    stop: Callable[[], None]
    info: dict[str, str] = field(default_factory=dict)  # e.g. {"url": ...}, printed (never secrets)


def discover() -> list[ModuleType]:
    found = []
    for mod in sorted(pkgutil.iter_modules(simulators.__path__), key=lambda m: m.name):
        if mod.ispkg:
            try:
                found.append(importlib.import_module(f"simulators.{mod.name}.stand_in"))
            except ModuleNotFoundError as exc:
                if exc.name != f"simulators.{mod.name}.stand_in":
                    raise
    return found
