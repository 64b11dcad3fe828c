"""The phone hotline 150420 (Avaya CMS): marts.mart_monthly_phone.

``tickets_phone`` (answered consultations) comes from the channel mart once the
phone consultations are in fct_consultations; the figures here are the call
center's own: calls answered, offered, abandoned, the abandon rate (abandoned /
offered, in percent) and the average speed of answer (seconds: sum of answer
time / answered calls). Ratios are rounded only here, at presentation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting.metrics import metric, pct, reader

# summary key -> (mart measure, how a value is presented)
MEASURES = {
    "phone_calls_answered": ("calls_answered", None),
    "phone_calls_offered": ("calls_offered", None),
    "phone_calls_abandoned": ("calls_abandoned", None),
    "phone_abandon_rate_pct": ("abandon_rate", "pct"),
    "phone_asa_seconds": ("asa_seconds", "seconds"),
}
SUFFIXES = ("", "_prev_month", "_same_month_last_year", "_ytd", "_mom_change", "_yoy_change")


def _present(value: Any, how: str | None) -> Any:
    if value is None or how is None:
        return value
    if how == "pct":
        return pct(value)
    return round(float(value), 1)


@reader
def phone(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    if conn.execute("select to_regclass('marts.mart_monthly_phone')").fetchone()[0] is None:
        return {}  # the Avaya source is not loaded in this warehouse
    columns = [m + s for m, _ in MEASURES.values() for s in SUFFIXES]
    row = conn.execute(
        f"select {', '.join(columns)} from marts.mart_monthly_phone where month = %s", (month,)
    ).fetchone()
    if row is None:
        return {}
    values = dict(zip(columns, row, strict=False))
    out = {}
    for key, (m, how) in MEASURES.items():
        out[key] = metric(
            value=_present(values[m], how),
            prev_month=_present(values[m + "_prev_month"], how),
            same_month_last_year=_present(values[m + "_same_month_last_year"], how),
            ytd=_present(values[m + "_ytd"], how),
            mom_pct=pct(values[m + "_mom_change"]),
            yoy_pct=pct(values[m + "_yoy_change"]),
        )
    return out
