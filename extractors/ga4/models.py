"""What the extractor requires of each GA4 record (the record itself is kept as served).

The Data API sends every metric value as a STRING. The raw record keeps those
strings; these schemas check they are whole, non-negative counts, so a value
like ``"12.5k"`` sends its record to quarantine with the reason instead of
into the warehouse.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Counts(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class UserCounts(_Counts):
    activeUsers: int = Field(ge=0)  # noqa: N815 (GA4's names)
    totalUsers: int = Field(ge=0)  # noqa: N815


class DayCounts(UserCounts):
    sessions: int = Field(ge=0)
    screenPageViews: int = Field(ge=0)  # noqa: N815


class PageRow(_Counts):
    pageTitle: str  # noqa: N815
    pagePath: str  # noqa: N815
    screenPageViews: int = Field(ge=0)  # noqa: N815
    activeUsers: int = Field(ge=0)  # noqa: N815


class MonthlyUsers(_Record):
    """One month's unique users, from a report over exactly that month."""

    property_id: str = Field(min_length=1)
    month: dt.date
    start_date: dt.date
    end_date: dt.date
    metrics: UserCounts


class DailyTraffic(_Record):
    """One day's users (not additive!), sessions and page views."""

    property_id: str = Field(min_length=1)
    date: dt.date
    metrics: DayCounts


class TopPages(_Record):
    """One month's page report: every (page title, page path) row, most viewed first."""

    property_id: str = Field(min_length=1)
    month: dt.date
    start_date: dt.date
    end_date: dt.date
    row_count: int = Field(ge=0)
    rows: list[PageRow]
