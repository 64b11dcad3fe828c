"""Tickets by channel: marts.mart_monthly_channel_volume."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting.metrics import compared, reader


@reader
def channel_volume(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        """select metric_key, tickets, tickets_prev_month, tickets_same_month_last_year,
                  tickets_ytd, mom_change, yoy_change
           from marts.mart_monthly_channel_volume where month = %s order by metric_key""",
        (month,),
    ).fetchall()
    return {key: compared(v, prev, ly, ytd, mom, yoy) for key, v, prev, ly, ytd, mom, yoy in rows}
