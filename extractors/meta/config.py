"""Which insights metrics are pulled: configuration, checked against Meta's retirements.

The lists below are the defaults; the connection's extra overrides any of them
(``ig_user_metrics``, ``ig_media_metrics``, ``page_metrics``, ``post_metrics``).
A metric the API rejects with ``(#100) ... must be a valid insights metric`` is
dropped for the run (the rest still load) and reported in ``raw._quarantine``
and the batch's window; a metric on the retirement list below is warned about
when the configuration is read, before any call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MetricSpec:
    """An account-level insights metric: ``time_series`` (one value per day) or
    ``total_value`` (one value per requested window; the extractor asks per day)."""

    name: str
    metric_type: str = "time_series"
    period: str = "day"

    @classmethod
    def parse(cls, item: Any) -> MetricSpec:
        if isinstance(item, str):
            return cls(item)
        if isinstance(item, dict) and item.get("name"):
            spec = cls(str(item["name"]), str(item.get("metric_type", "time_series")), str(item.get("period", "day")))
            if spec.metric_type not in ("time_series", "total_value"):
                raise ValueError(f"meta: metric {spec.name}: metric_type must be time_series or total_value")
            return spec
        raise ValueError(f"meta: cannot read metric {item!r} (a name or {{'name', 'metric_type', 'period'}})")


# Instagram account: daily reach, and views (only as total_value since v22.0).
IG_USER_METRICS = (MetricSpec("reach"), MetricSpec("views", "total_value"))
# Instagram media (lifetime): reach is the report's Instagram reach.
IG_MEDIA_METRICS = ("reach", "views")
# Facebook Page, daily: followers, media views, unique media views (the 2025 names).
PAGE_METRICS = ("page_follows", "page_media_view", "page_total_media_view_unique")
# Facebook post (lifetime): unique media views is the post's reach.
POST_METRICS = ("post_total_media_view_unique", "post_media_view")

# Retired metrics (Meta changelogs; SOURCES.md section 4): name -> (retired on, replacement).
RETIRED_METRICS: dict[str, tuple[str, str]] = {
    "impressions": ("2025-04-21 (Instagram, all versions)", "views with metric_type=total_value"),
    "plays": ("2025-04-21 (Instagram media)", "views"),
    "clips_replays_count": ("2025-04-21 (Instagram media)", "views"),
    "ig_reels_aggregated_all_plays_count": ("2025-04-21 (Instagram media)", "views"),
    "video_views": ("2025-04-21 (Instagram media)", "views"),
    "page_impressions_unique": ("2025-06-15 (Pages)", "page_total_media_view_unique"),
    "post_impressions_unique": ("2025-06-15 (Pages)", "post_total_media_view_unique"),
    "page_posts_impressions": ("2025-06-15 (Pages)", "page_media_view"),
    "page_fans": ("2025-11-15 (Pages)", "page_follows"),
    "page_fan_adds": ("2025-11-15 (Pages)", "page_follows"),
    "page_fan_adds_unique": ("2025-11-15 (Pages)", "page_follows"),
    "page_fan_removes": ("2025-11-15 (Pages)", "page_follows"),
    "page_fans_city": ("2025-11-15 (Pages)", "page_follows_city"),
    "page_fans_country": ("2025-11-15 (Pages)", "page_follows_country"),
    "page_impressions": ("2025-11-15 (Pages)", "page_media_view"),
    "page_impressions_paid": ("2025-11-15 (Pages)", "page_media_view with the is_from_ads breakdown"),
    "post_impressions": ("2025-11-15 (Pages)", "post_media_view"),
    "post_impressions_paid": ("2025-11-15 (Pages)", "post_media_view with the is_from_ads breakdown"),
}
# Listed as deprecated from 2025-01-08 but still seen working in 2026: verify live.
DOUBTFUL_METRICS = {"profile_views", "website_clicks", "email_contacts", "phone_call_clicks", "get_directions_clicks"}


def check_metrics(names: list[str]) -> list[str]:
    """Warnings for configured metrics Meta retired or may have retired (logged loudly)."""
    warnings = []
    for name in names:
        if name in RETIRED_METRICS:
            when, instead = RETIRED_METRICS[name]
            warnings.append(
                f"metric {name!r} was retired on {when}; use {instead}. The API will reject it and the run will drop it"
            )
        elif name in DOUBTFUL_METRICS:
            warnings.append(f"metric {name!r} is listed as deprecated since 2025-01-08; verify it against the live API")
    for w in warnings:
        log.warning("meta: %s", w)
    return warnings
