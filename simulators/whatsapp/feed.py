"""Feeding the simulated WhatsApp world to the pipeline, the way the real one arrives.

* History before the receiver existed: a BSP-style export, JSONL, one Cloud API
  webhook ``change`` per line (``{"field": "messages", "value": {...}}``), every
  event up to ``export_until``.
* Since ``live_from`` (two days before ``export_until``: the overlap the pipeline
  must deduplicate): webhook deliveries as Meta makes them. Events are batched
  into payloads (``object`` / ``entry[]`` / ``changes[]``) in ARRIVAL order, where a
  status arrives after a random delay, so ``read`` can come before ``delivered``;
  about 5% of deliveries are delivered twice (same body), and about 1% of events
  come again inside a different delivery.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from simulators.scenario.whatsapp import WABA_ID, Event, WhatsappMonth, iter_whatsapp_months
from simulators.scenario.world import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, LOCAL_TZ, parse_date

EXPORT_NAME = "bsp-export-history.jsonl"


@dataclass(frozen=True)
class Cut:
    """Which events go to the export and which arrive as webhooks."""

    live_from: dt.datetime  # the receiver is live from here (inclusive)
    export_until: dt.datetime  # the export holds everything before this (exclusive)

    @classmethod
    def default(cls, end: str | dt.date = DEFAULT_END) -> Cut:
        """Export until 17 days before the range's end (2023-12-15 for the default range), receiver live 2 days earlier."""
        until = dt.datetime.combine(parse_date(end) - dt.timedelta(days=17), dt.time(0, 0), LOCAL_TZ)
        return cls(live_from=until - dt.timedelta(days=2), export_until=until)


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def split(months: Iterable[WhatsappMonth], cut: Cut, export_path: Path) -> list[Event]:
    """Write the export file; return the events the receiver will get, in event order."""
    live: list[Event] = []
    export_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = export_path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for m in months:
            for e in m.events:
                if e.at < cut.export_until:
                    fh.write(_dumps(e.change()))
                    fh.write("\n")
                if e.at >= cut.live_from:
                    live.append(e)
    tmp.replace(export_path)
    live.sort(key=lambda e: e.at)
    return live


def deliveries(events: list[Event], seed: int) -> Iterator[bytes]:
    """Webhook bodies in the order Meta would post them (with redeliveries)."""
    rng = random.Random(f"{seed}/whatsapp/webhook/deliveries")
    arrivals = []
    for i, e in enumerate(events):
        delay = rng.uniform(0.5, 20) if e.kind == "message" else rng.uniform(0.5, 90)
        if e.kind == "status" and rng.random() < 0.08:
            delay += rng.uniform(60, 1800)  # late: arrives after the next status of the same message
        arrivals.append((e.at + dt.timedelta(seconds=delay), i, e))
    arrivals.sort(key=lambda a: (a[0], a[1]))
    pending_again: list[tuple[int, bytes]] = []
    i = n = 0
    while i < len(arrivals):
        size = rng.choice([1, 2, 3, 5, 8, 13, 20, 30, 50])
        group = [a[2] for a in arrivals[i : i + size]]
        i += size
        if rng.random() < 0.01 and i < len(arrivals):  # an event again, inside another delivery
            group.append(arrivals[rng.randrange(max(0, i - 40), i)][2])
        body = _dumps(
            {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [e.change() for e in group]}]}
        ).encode()
        yield body
        n += 1
        if rng.random() < 0.05:  # Meta did not see our 200 in time: the same body again, later
            pending_again.append((n + rng.randint(1, 30), body))
        for due, again in [p for p in pending_again if p[0] <= n]:
            pending_again.remove((due, again))
            yield again
    for _, again in pending_again:
        yield again


def world_key(seed: int, start: str, end: str, cut: Cut) -> str:
    """Changes whenever the generated data would: seed, range, cut, the generator's code
    and the consultation plan's (code, region data, and the seeds it reads)."""
    import simulators.scenario.calibration as calibration
    import simulators.scenario.consultations as consultations
    import simulators.scenario.regions as regions
    import simulators.scenario.whatsapp as scenario
    import simulators.scenario.world as world

    h = hashlib.sha256(f"{seed}|{start}|{end}|{cut.live_from}|{cut.export_until}".encode())
    for mod in (scenario, world, consultations, regions, calibration):
        h.update(Path(mod.__file__).read_bytes())
    for data in (
        *sorted(Path(regions.DATA_DIR).glob("*.csv")),
        consultations.SEEDS / "ref_public_holidays.csv",
        consultations.SEEDS / "ref_segment_rules.csv",
    ):
        h.update(data.read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def cache_root() -> Path:
    """Where generated worlds are kept between runs (they are deterministic, and take a while to make)."""
    base = os.environ.get("DJPK_WHATSAPP_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "djpk", "whatsapp-world"
    )
    return Path(base)


def build(
    cache_dir: Path | None = None,
    seed: int = DEFAULT_SEED,
    start: str = DEFAULT_START,
    end: str = DEFAULT_END,
    cut: Cut | None = None,
) -> tuple[Path, Path]:
    """The export file and the file of webhook bodies (one per line) of a world, cached by ``world_key``.

    Safe when several processes build the same world at once: each writes its own
    temporary files and renames them into place (the contents are identical).
    """
    cut = cut or Cut.default(end)
    key = world_key(seed, str(start), str(end), cut)
    root = Path(cache_dir) if cache_dir is not None else cache_root()
    folder = root / key
    export = folder / "export" / EXPORT_NAME
    bodies = folder / "webhook-bodies.jsonl"
    if not (export.exists() and bodies.exists()):
        live = split(iter_whatsapp_months(seed, str(start), str(end)), cut, export)
        tmp = bodies.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            for body in deliveries(live, seed):
                fh.write(body + b"\n")
        tmp.replace(bodies)
        _prune(root, keep=key)
    os.utime(folder)  # recently used
    return export, bodies


def _prune(root: Path, keep: str, max_age_days: float = 7) -> None:
    """Forget worlds of other code versions not used for a week."""
    import shutil
    import time

    for old in root.glob("*"):
        if old.name != keep and old.is_dir() and time.time() - old.stat().st_mtime > max_age_days * 86400:
            shutil.rmtree(old, ignore_errors=True)
