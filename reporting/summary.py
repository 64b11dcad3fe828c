"""``out/reports/<YYYY-MM>/summary.json``: every figure the marts can give for a month.

Shape (fields that do not apply are omitted)::

    {"period": "2023-12",
     "metrics": {"<spec key>": {"value": ..., "prev_month": ..., "same_month_last_year": ...,
                                "ytd": ..., "mom_pct": ..., "yoy_pct": ...,
                                "breakdown": {"<label>": ...}}},
     "sources_without_data": ["<source>", ...]}

``sources_without_data``: the pipeline sources with no data in the marts for the month
(reporting.report.source_coverage); their figures are missing, not zero, and a month
no source has reached yet is written all the same (the report says so).

Changes are stored in the marts as unrounded ratios; here, at presentation,
they become percentages rounded to one decimal (DECISIONLOG.md, "Change").
Readers live in reporting/metrics/, one module per mart.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from reporting.employee_advocacy import editions_summary
from reporting.metrics import all_readers

log = logging.getLogger(__name__)


def build_summary(conn, period: str) -> dict[str, Any]:
    month = dt.date.fromisoformat(period + "-01")
    metrics: dict[str, dict[str, Any]] = {}
    for read in all_readers():
        metrics.update(read(conn, month))
    summary: dict[str, Any] = {"period": period, "metrics": dict(sorted(metrics.items()))}
    # sources with no data for the month (their figures are not figures: the report says so)
    from reporting.report import source_coverage

    coverage = source_coverage(conn)
    summary["sources_without_data"] = [
        s for s, span in coverage.items() if span is None or not span[0] <= period <= span[1]
    ]
    # the programme's editions of the year so far (reporting/employee_advocacy.py)
    next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    advocacy = editions_summary(conn, month.year, next_month - dt.timedelta(days=1))
    if advocacy["editions"]:
        summary["employee_advocacy"] = advocacy
    return summary


def write_summary(conn, period: str, out_dir: Path) -> Path:
    summary = build_summary(conn, period)
    if summary["sources_without_data"]:
        log.warning("%s: no data yet from %s", period, ", ".join(summary["sources_without_data"]))
    path = Path(out_dir) / "reports" / period / "summary.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return path
