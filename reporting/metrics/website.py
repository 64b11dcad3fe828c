"""The website: marts.mart_monthly_website (+ _categories, _top_pages).

``website_publications``: posts in a report category published in the month
(Asia/Jakarta), with the previous month, the same month a year before, the
calendar year to date, the changes, and the breakdown by report category (the
categories with publications in the month, labelled as the report prints them).

``website_visitors``: the month's exact unique users from GA4 (the report rounds
them, "sekitar 84.000"), with the previous month, the same month a year before
and the changes (no year to date: unique users do not add up over months), plus
``top_pages``: the three most viewed page titles.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting.metrics import compared, reader

TOP_PAGES = 3


@reader
def website(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    row = conn.execute(
        """select visitors, visitors_prev_month, visitors_same_month_last_year,
                  visitors_mom_change, visitors_yoy_change,
                  publications, publications_prev_month, publications_same_month_last_year,
                  publications_ytd, publications_mom_change, publications_yoy_change
           from marts.mart_monthly_website where month = %s""",
        (month,),
    ).fetchone()
    if row is None:
        return {}
    (visitors, v_prev, v_ly, v_mom, v_yoy, pubs, p_prev, p_ly, p_ytd, p_mom, p_yoy) = row
    out: dict[str, dict[str, Any]] = {}
    if pubs is not None:
        breakdown = dict(
            conn.execute(
                """select report_category, publications from marts.mart_monthly_website_categories
               where month = %s and publications > 0 order by sort_order""",
                (month,),
            ).fetchall()
        )
        out["website_publications"] = compared(pubs, p_prev, p_ly, p_ytd, p_mom, p_yoy, breakdown=breakdown or None)
    if visitors is not None:
        top = [
            t
            for (t,) in conn.execute(
                """select page_title from marts.mart_monthly_website_top_pages
               where month = %s and view_rank <= %s order by view_rank""",
                (month, TOP_PAGES),
            ).fetchall()
        ]
        out["website_visitors"] = compared(visitors, v_prev, v_ly, None, v_mom, v_yoy, top_pages=top or None)
    return out
