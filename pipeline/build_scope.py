"""What the daily ``dbt build`` needs to build: what changed since the last good build.

A build that follows loads which changed nothing (a second ``make run``, a source DAG
re-run, an hourly source with no new mail) need not rebuild and re-test the whole
project. ``plan`` compares the warehouse and the project with the state recorded by
the last build that passed:

- **data**: every batch the loader logged in ``raw._batches`` since then, and the
  rows it changed in the source's raw tables (inserted, updated or deleted; the loader
  logs those counts per stream). A source with such a batch is built with everything
  downstream of it (``source:<name>+``). Rejects and their resolution change only
  ``raw._quarantine`` (a re-read counts its rejects again), which the next item covers. ``source:pipeline+`` (the loader's own
  bookkeeping, and the health mart that reads it and the clock) is built every time.
- **code**: dbt's own state comparison against the manifest of that build
  (``state:modified+``: models, tests, macros, seeds, configs, vars).

Everything is built (no selection) when there is no recorded build, when the warehouse
is another one (its system identifier and database), when the pseudonymisation key
changed, when a changed source is not a dbt source of that manifest, or when asked
(``full_build``: the transform DAG's param, ``make run --full-refresh``).

The state is recorded only after a build that passed (``stage`` from the build's own
target folder, ``commit`` once the marts are checked): a failed build leaves the last
good state, so the next plan includes everything since then again. A batch committed
while a plan ran is not lost: the plan keeps the ids of the batches it saw in the last
``OVERLAP`` and looks again at every batch logged since then that it did not see.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

STATE_FILE = "build_state.json"
MANIFEST = "manifest.json"
ALWAYS = ("source:pipeline+",)
CHANGE_COUNTS = ("inserted", "updated", "deleted")
OVERLAP = dt.timedelta(hours=6)
OK_STATUSES = {"success", "pass", "warn", "no-op"}  # "skipped": after an upstream failure


@dataclass
class Plan:
    """A build's scope: ``select`` empty means everything."""

    full: bool
    reason: str
    select: list[str] = field(default_factory=list)
    state_dir: str | None = None
    # what the next plan compares with, once this build passed
    warehouse: str = ""
    key_id: str = ""
    seen_upto: str | None = None
    seen_batches: list[str] = field(default_factory=list)
    changed_sources: list[str] = field(default_factory=list)

    def dbt_args(self) -> list[str]:
        if self.full:
            return []
        return ["--select", " ".join(self.select), "--state", str(self.state_dir)]

    def describe(self) -> str:
        if self.full:
            return f"everything ({self.reason})"
        return f"{' '.join(self.select)} ({self.reason})"


def warehouse_identity(conn) -> str:
    sysid, db = conn.execute("select system_identifier::text, current_database() from pg_control_system()").fetchone()
    return f"{sysid}/{db}"


def _batches_since(conn, since: dt.datetime | None) -> list[tuple[str, str, dict, dt.datetime]]:
    if conn.execute("select to_regclass('raw._batches') is null").fetchone()[0]:
        return []
    if since is None:
        return conn.execute("select batch_id, source, streams, loaded_at from raw._batches").fetchall()
    return conn.execute(
        "select batch_id, source, streams, loaded_at from raw._batches where loaded_at > %s", (since,)
    ).fetchall()


def changed_rows(streams: dict) -> int:
    """Rows a batch changed in raw, from the per-stream counts the loader logs."""
    total = 0
    for counts in (streams or {}).values():
        if isinstance(counts, dict):
            total += sum(int(counts.get(k) or 0) for k in CHANGE_COUNTS)
    return total


def _full(reason: str, **kw) -> Plan:
    return Plan(full=True, reason=reason, **kw)


def plan(conn, directory: Path, key_id: str, full_build: bool = False) -> Plan:
    """The scope of the next build on ``conn``'s warehouse, from the state in ``directory``."""
    ident = warehouse_identity(conn)
    has_batches = conn.execute("select to_regclass('raw._batches') is not null").fetchone()[0]
    latest = conn.execute("select max(loaded_at) from raw._batches").fetchone()[0] if has_batches else None
    # the ids of the last OVERLAP only (an index-free scan of a small table; not the whole history in Python)
    seen = sorted(r[0] for r in _batches_since(conn, latest - OVERLAP - dt.timedelta(microseconds=1))) if latest else []
    common = {"warehouse": ident, "key_id": key_id, "seen_upto": latest.isoformat() if latest else None}
    common["seen_batches"] = seen
    state_path, manifest_path = directory / STATE_FILE, directory / MANIFEST
    if full_build:
        return _full("asked for a full build", **common)
    if not state_path.exists() or not manifest_path.exists():
        return _full("no earlier build recorded", **common)
    state = json.loads(state_path.read_text())
    if state.get("warehouse") != ident:
        return _full("the last recorded build was on another warehouse", **common)
    if state.get("key_id") != key_id:
        return _full("the pseudonymisation key changed", **common)
    upto = dt.datetime.fromisoformat(state["seen_upto"]) if state.get("seen_upto") else None
    known = set(state.get("seen_batches") or [])
    since = (upto - OVERLAP) if upto else None
    changed: set[str] = set()
    for batch_id, source, streams, loaded_at in _batches_since(conn, since):
        if (upto is None or loaded_at > upto or batch_id not in known) and changed_rows(streams) > 0:
            changed.add(source)
    dbt_sources = {s.get("source_name") for s in json.loads(manifest_path.read_text()).get("sources", {}).values()}
    unknown = sorted(changed - dbt_sources)
    if unknown:
        return _full(f"changed source(s) without a dbt source: {', '.join(unknown)}", **common)
    select = [f"source:{s}+" for s in sorted(changed)] + ["state:modified+", *ALWAYS]
    reason = f"changed since the last build: {', '.join(sorted(changed)) or 'no source'}; and modified code"
    return Plan(
        full=False,
        reason=reason,
        select=select,
        state_dir=str(directory),
        changed_sources=sorted(changed),
        **common,
    )


def build_passed(target: Path) -> bool:
    """Whether dbt's run_results.json in ``target`` shows a build in which nothing failed."""
    path = target / "run_results.json"
    if not path.exists():
        return False
    results = json.loads(path.read_text()).get("results", [])
    bad = {str(r.get("status")) for r in results} - OK_STATUSES
    if bad:
        log.info("dbt build statuses not recorded as passed: %s", ", ".join(sorted(bad)))
    return not bad


def stage(target: Path, directory: Path, the_plan: Plan | dict) -> bool:
    """After ``dbt build``: keep its manifest and the plan in ``directory``/pending, if it passed."""
    if not build_passed(target) or not (target / MANIFEST).exists():
        log.warning("dbt build did not pass: its state is not recorded; the next build plans from the last good one")
        return False
    pending = directory / "pending"
    shutil.rmtree(pending, ignore_errors=True)
    pending.mkdir(parents=True)
    shutil.copyfile(target / MANIFEST, pending / MANIFEST)
    data = the_plan if isinstance(the_plan, dict) else asdict(the_plan)
    (pending / STATE_FILE).write_text(json.dumps(data, indent=1, default=str))
    return True


def commit(directory: Path) -> bool:
    """Once the marts are checked: the staged state becomes the one the next plan compares with."""
    pending = directory / "pending"
    if not (pending / STATE_FILE).exists():
        return False
    for name in (MANIFEST, STATE_FILE):  # the manifest first: a state file never points at an older manifest
        os.replace(pending / name, directory / name)
    shutil.rmtree(pending, ignore_errors=True)
    return True
