"""What `make run` shows: one line per step and a closing summary; the full log goes to a file.

``Console`` moves this process's stdout and stderr (file descriptors 1 and 2, so
Airflow's task logs, dbt's output and every child process follow) into a log file
under ``.local/logs/`` (0600 in a 0700 folder) and keeps a private copy of the
terminal for the progress lines. The numbers come from what the tasks already
return: the ``load`` task's summary (per stream: rows copied, inserted, updated,
deleted, quarantined) and the ``dbt_build`` task's ``dbt_summary`` (nodes per kind
and status, from dbt's run_results.json), read back from Airflow's XCom.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from pathlib import Path
from typing import Any

REJECTS_WHERE = "marts.mart_rejected_records (BI) / raw._quarantine (engineers)"


KEEP_RUN_LOGS = 20


def run_log_path() -> Path:
    """A new ``.local/logs/run-<UTC time>.log``; only the newest ``KEEP_RUN_LOGS`` are kept."""
    from warehouse.config import local_dir

    folder = local_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    for old in sorted(folder.glob("run-*.log"))[: -(KEEP_RUN_LOGS - 1)]:
        old.unlink(missing_ok=True)
    return folder / f"run-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}.log"


class Console:
    """The terminal for progress lines; everything else written to fd 1/2 goes to ``log_path``."""

    def __init__(self, log_path: Path):
        self.log_path = Path(log_path)
        sys.stdout.flush()
        sys.stderr.flush()
        self._terminal = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
        fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)

    def line(self, text: str = "") -> None:
        self._terminal.write(text + "\n")
        self._terminal.flush()
        if text:  # the log tells the same story, in order
            print(f"[make run] {text}", flush=True)

    def failure_lines(self, limit: int = 15) -> list[str]:
        """The log's lines that say what failed (task failures, dbt errors, exceptions)."""
        sys.stdout.flush()
        sys.stderr.flush()
        marks = re.compile(r"TASK FAILED|Failure in |Database Error|Compilation Error|Error: |ERROR=|failed")
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        hits = [ln.strip()[:300] for ln in lines if marks.search(ln) and not ln.startswith("[make run]")]
        return hits[-limit:]


def fmt_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


def step_line(step: str, seconds: float, what: str) -> str:
    """``  deskpro               2.9 s  5,891 rows in 5 streams, 0 rejected, 0 deleted``"""
    return f"  {step:<18} {fmt_seconds(seconds):>10}  {what}"


def xcom(dag_id: str, run_id: str, task_id: str, key: str = "return_value") -> Any:
    """A task's XCom from Airflow's metadata database (what the UI shows), or None."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = session.scalars(
            XComModel.get_many(run_id=run_id, key=key, task_ids=task_id, dag_ids=dag_id).limit(1)
        ).first()
        return None if row is None else XComModel.deserialize_value(row)


def load_totals(summary: dict | None) -> dict[str, int]:
    """One source's totals from its ``load`` task's summary (``extractors.runner.load``)."""
    totals = dict.fromkeys(("streams", "rows", "inserted", "updated", "rejected", "deleted"), 0)
    for s in ((summary or {}).get("streams") or {}).values():
        totals["streams"] += 1
        totals["rows"] += int(s.get("copied") or 0)
        totals["inserted"] += int(s.get("inserted") or 0)
        totals["updated"] += int(s.get("updated") or 0)
        totals["rejected"] += int(s.get("quarantined") or 0)
        totals["deleted"] += int(s.get("deleted") or 0)
    return totals


def dbt_counts(summary: dict | None) -> str:
    """``113 models, 699 tests, 25 seeds (all passed)`` from the dbt_build task's ``dbt_summary``."""
    if not summary:
        return "dbt build done (no run results)"
    nodes = summary.get("nodes", {})
    labels = (("model", "models"), ("test", "tests"), ("unit_test", "unit tests"), ("seed", "seeds"))
    parts = [f"{sum(nodes[k].values())} {label}" for k, label in labels if nodes.get(k)]
    bad = {}
    for statuses in nodes.values():
        for status, n in statuses.items():
            if status not in ("success", "pass", "no-op"):
                bad[status] = bad.get(status, 0) + n
    verdict = "all passed" if not bad else ", ".join(f"{n} {s}" for s, n in sorted(bad.items()))
    return f"{', '.join(parts)} ({verdict})"


def source_table(rows: dict[str, dict[str, int]]) -> list[str]:
    head = f"  {'source':<18} {'rows':>9} {'new':>8} {'updated':>8} {'rejected':>8} {'deleted':>8}"
    out = [head]
    total = dict.fromkeys(("rows", "inserted", "updated", "rejected", "deleted"), 0)
    for name, t in rows.items():
        out.append(
            f"  {name:<18} {t['rows']:>9,} {t['inserted']:>8,} {t['updated']:>8,} {t['rejected']:>8,} {t['deleted']:>8,}"
        )
        for k in total:
            total[k] += t[k]
    out.append(
        f"  {'total':<18} {total['rows']:>9,} {total['inserted']:>8,} {total['updated']:>8,} "
        f"{total['rejected']:>8,} {total['deleted']:>8,}"
    )
    return out
