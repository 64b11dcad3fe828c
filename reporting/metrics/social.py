"""Social media: marts.mart_monthly_social (per platform) and
marts.mart_monthly_social_content (the cross-platform content average).

Presentation rounding only (the marts keep the exact values):
- reach averages are whole numbers, as the report prints them (72037 / 27 =
  2668.04 -> 2668);
- the content average has one decimal (113 / 3 = 37.666... -> 37.7; the report
  prints 38), and is only given when every platform's content is known for the
  month (a mean over fewer platforms would pass for a quiet month);
- changes are percentages with one decimal, from the marts' unrounded ratios.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from reporting.metrics import compared, reader

log = logging.getLogger(__name__)

PLATFORMS = ("instagram", "twitter", "facebook")
ADDITIVE = {"posts", "stories", "content_total", "reach_total", "profile_visits"}
# (platform, mart measure) -> summary key
KEYS: dict[tuple[str, str], str] = {
    ("instagram", "followers_end_of_month"): "instagram_followers_end_of_month",
    ("instagram", "reach_total"): "instagram_reach_total",
    ("instagram", "reach_avg"): "instagram_reach_avg",
    ("instagram", "posts"): "instagram_feed_posts",
    ("instagram", "stories"): "instagram_stories",
    ("twitter", "posts"): "twitter_posts",
    ("twitter", "followers_end_of_month"): "twitter_followers_end_of_month",
    ("twitter", "profile_visits"): "twitter_profile_visits",
    ("facebook", "posts"): "facebook_posts",
    ("facebook", "followers_end_of_month"): "facebook_followers_end_of_month",
    ("facebook", "reach_avg"): "facebook_reach_avg",
}
MEASURES = sorted({m for _, m in KEYS})


def _built(conn, table: str) -> bool:
    return conn.execute("select to_regclass(%s)", (f"marts.{table}",)).fetchone()[0] is not None


def _whole(v: Any) -> int | None:
    return None if v is None else int(round(float(v)))


def _one_decimal(v: Any) -> int | float | None:
    if v is None:
        return None
    r = round(float(v), 1)
    return int(r) if r == int(r) else r


@reader
def social_media(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if not _built(conn, "mart_monthly_social"):
        return out
    cols = []
    for m in MEASURES:
        cols += [
            m,
            f"{m}_prev_month",
            f"{m}_same_month_last_year",
            f"{m}_ytd" if m in ADDITIVE else "null",
            f"{m}_mom_change",
            f"{m}_yoy_change",
        ]
    rows = conn.execute(
        f"select platform, reels, {', '.join(cols)} from marts.mart_monthly_social where month = %s order by platform",
        (month,),
    ).fetchall()
    for platform, reels, *values in rows:
        for i, m in enumerate(MEASURES):
            key = KEYS.get((platform, m))
            if key is None:
                continue
            value, prev, last_year, ytd, mom, yoy = values[i * 6 : (i + 1) * 6]
            if value is None:
                continue  # not known for this month (e.g. no snapshot, no export): no figure rather than a wrong one
            if m == "reach_avg":
                value, prev, last_year = _whole(value), _whole(prev), _whole(last_year)
            breakdown = None
            if key == "instagram_feed_posts" and reels is not None:
                breakdown = {"feed": int(value) - int(reels), "reels": int(reels)}
            out[key] = compared(value, prev, last_year, ytd, mom, yoy, breakdown=breakdown)
    if _built(conn, "mart_monthly_social_content"):
        row = conn.execute(
            """select platforms, content_avg, content_avg_prev_month, content_avg_same_month_last_year,
                      mom_change, yoy_change, instagram_content, twitter_content, facebook_content
               from marts.mart_monthly_social_content where month = %s""",
            (month,),
        ).fetchone()
        if row is not None:
            platforms, avg, prev, last_year, mom, yoy, ig, tw, fb = row
            if platforms == len(PLATFORMS):
                out["social_media_content_avg"] = compared(
                    _one_decimal(avg),
                    _one_decimal(prev),
                    _one_decimal(last_year),
                    None,
                    mom,
                    yoy,
                    breakdown={"instagram": int(ig), "twitter": int(tw), "facebook": int(fb)},
                )
            else:
                log.warning(
                    "social_media_content_avg %s: only %s of %d platforms have content figures; not given",
                    month,
                    platforms,
                    len(PLATFORMS),
                )
    return out
