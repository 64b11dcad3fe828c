"""``out/reports/<YYYY-MM>/summary.json``: every figure the marts can give for a month.

Shape (fields that do not apply are omitted)::

    {"period": "2023-12",
     "metrics": {"<spec key>": {"value": ..., "prev_month": ..., "same_month_last_year": ...,
                                "ytd": ..., "mom_pct": ..., "yoy_pct": ...,
                                "breakdown": {"<label>": ...}}}}

Changes are stored in the marts as unrounded ratios; here, at presentation,
they become percentages rounded to one decimal (DECISIONLOG.md, "Change").
Each reader below turns one mart into metrics; a new mart adds a reader.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

Reader = Callable[[Any, dt.date], dict[str, dict[str, Any]]]
READERS: list[Reader] = []


def reader(fn: Reader) -> Reader:
    READERS.append(fn)
    return fn


def pct(ratio: Decimal | float | None) -> float | None:
    return None if ratio is None else round(float(ratio) * 100, 1)


def _num(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def metric(**fields: Any) -> dict[str, Any]:
    return {k: _num(v) for k, v in fields.items() if v is not None}


@reader
def channel_volume(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        """select metric_key, tickets, tickets_prev_month, tickets_same_month_last_year,
                  tickets_ytd, mom_change, yoy_change
           from marts.mart_monthly_channel_volume where month = %s order by metric_key""",
        (month,),
    ).fetchall()
    return {
        key: metric(value=v, prev_month=prev, same_month_last_year=ly, ytd=ytd, mom_pct=pct(mom), yoy_pct=pct(yoy))
        for key, v, prev, ly, ytd, mom, yoy in rows
    }


def build_summary(conn, period: str) -> dict[str, Any]:
    month = dt.date.fromisoformat(period + "-01")
    metrics: dict[str, dict[str, Any]] = {}
    for read in READERS:
        metrics.update(read(conn, month))
    return {"period": period, "metrics": dict(sorted(metrics.items()))}


def write_summary(conn, period: str, out_dir: Path) -> Path:
    summary = build_summary(conn, period)
    if not summary["metrics"]:
        raise RuntimeError(f"no figures in the marts for {period}: was that month loaded?")
    path = Path(out_dir) / "reports" / period / "summary.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return path
