"""Compare the figures of a published report with what the marts say.

``marts.mart_published_report`` holds every figure a published report printed
(seed ``published_report_figures``). A figure matches when it equals the data, or,
for percentages, when it is within one point (the report truncates or rounds
changes and shares to whole numbers). Every other difference is listed in the
report's "Catatan data" with the recorded explanation, or as unexplained.
"""

from __future__ import annotations

from typing import Any

PCT_FIELDS = {"mom_pct", "yoy_pct", "share_pct"}


def data_value(metrics: dict[str, dict[str, Any]], key: str, field: str) -> Any:
    m = metrics.get(key)
    if m is None:
        return None
    if ":" in field:
        part, label = field.split(":", 1)
        return (m.get(part) or {}).get(label)
    return m.get(field)


def _num(v: Any) -> float | None:
    if v is None or v == "":
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def compare(metrics: dict[str, dict[str, Any]], published: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in published:
        key, field = row["metric_key"], row["field"]
        data = data_value(metrics, key, field)
        pub, got = _num(row["published_value"]), _num(data)
        if data is None:
            status = "not_computed"
        elif pub is None:
            status = "match" if not got else ("differs_explained" if row.get("explanation") else "differs_unexplained")
        elif field in PCT_FIELDS and got is not None and abs(got - pub) < 1.0:
            status = "match"
        elif got == pub:
            status = "match"
        else:
            status = "differs_explained" if row.get("explanation") else "differs_unexplained"
        out.append({**row, "data_value": data, "status": status, "matches": status == "match"})
    return out


def load_published(conn, period: str) -> list[dict[str, Any]]:
    if not conn.execute("select to_regclass('marts.mart_published_report') is not null").fetchone()[0]:
        return []
    cur = conn.execute(
        "select metric_key, field, label, published_value, explanation from marts.mart_published_report "
        "where period = %s order by metric_key, field",
        (period,),
    )
    cols = [c.name for c in cur.description]
    return [dict(zip(cols, r, strict=False)) for r in cur.fetchall()]
