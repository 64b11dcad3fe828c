"""Email Lapor (routine reports of local governments): marts.mart_monthly_email_lapor*.

``email_lapor_messages``: the month's report messages with their comparisons, and
a breakdown by report type under the labels the report prints, plus an explicit
"unclassified" entry for the messages no rule classifies (always present, so the
breakdown adds up to the value). Types with no message in the month are left out;
the largest come first, as the report lists them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting.metrics import compared, reader

KEY = "email_lapor_messages"
UNCLASSIFIED = "unclassified"


@reader
def email_lapor_messages(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    row = conn.execute(
        """select messages, messages_prev_month, messages_same_month_last_year, messages_ytd,
                  mom_change, yoy_change
           from marts.mart_monthly_email_lapor where month = %s""",
        (month,),
    ).fetchone()
    if row is None:
        return {}
    value, prev, last_year, ytd, mom, yoy = row
    types = conn.execute(
        """select report_type_key, report_type, messages
           from marts.mart_monthly_email_lapor_report_types
           where month = %s
           order by messages desc, sort_order nulls last, report_type_key""",
        (month,),
    ).fetchall()
    breakdown = {label: n for key, label, n in types if key != UNCLASSIFIED and n}
    breakdown[UNCLASSIFIED] = next((n for key, _, n in types if key == UNCLASSIFIED), 0)
    return {KEY: compared(value, prev, last_year, ytd, mom, yoy, breakdown=breakdown)}
