"""WhatsApp chatbot and blasts: marts.mart_monthly_whatsapp and marts.mart_monthly_whatsapp_menu.

Consultations over WhatsApp (``tickets_whatsapp``) come from the channel mart,
like every other channel; this reader gives what only WhatsApp has.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting.metrics import compared, reader

# spec key -> metric_key in marts.mart_monthly_whatsapp
KEYS = {
    "chatbot_users": "chatbot_users",
    "chatbot_menu_selections": "chatbot_menu_selections",
    "whatsapp_blasts": "whatsapp_blasts",
}
UNCLASSIFIED = "unclassified"


@reader
def whatsapp(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    if conn.execute("select to_regclass('marts.mart_monthly_whatsapp')").fetchone()[0] is None:
        return {}  # the WhatsApp source is not loaded in this warehouse
    rows = conn.execute(
        """select metric_key, value, value_prev_month, value_same_month_last_year, value_ytd, mom_change, yoy_change
           from marts.mart_monthly_whatsapp
           where month = %s and metric_key = any(%s)""",
        (month, list(KEYS.values())),
    ).fetchall()
    by_key = {r[0]: r[1:] for r in rows}
    out: dict[str, dict[str, Any]] = {}
    for spec_key, metric_key in KEYS.items():
        if metric_key not in by_key:
            continue
        v, prev, ly, ytd, mom, yoy = by_key[metric_key]
        out[spec_key] = compared(v, prev, ly, ytd, mom, yoy)
    if "chatbot_menu_selections" in out:
        menus = conn.execute(
            """select menu_label, selections from marts.mart_monthly_whatsapp_menu
               where month = %s order by sort_order, menu_label""",
            (month,),
        ).fetchall()
        breakdown = {label: int(n) for label, n in menus if label != UNCLASSIFIED or n}
        out["chatbot_menu_selections"]["breakdown"] = breakdown
    return out
