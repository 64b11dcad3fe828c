"""Tickets by channel: marts.mart_monthly_channel_volume."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting.metrics import metric, pct, reader


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
