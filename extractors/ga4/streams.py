"""GA4 Data API streams: three reports of one property, each a ``runReport`` call.

=============  ===================================  =========================  =====================
stream         report                               asked                      key
=============  ===================================  =========================  =====================
monthly_users  activeUsers, totalUsers              once PER MONTH, with a     (property_id, month)
               (no dimension)                       one-month dateRange
daily_traffic  date x activeUsers, totalUsers,      once for the window        (property_id, date)
               sessions, screenPageViews
top_pages      pageTitle, pagePath x                once per month, most       (property_id, month)
               screenPageViews, activeUsers         viewed first
=============  ===================================  =========================  =====================

Users are not additive: the month's unique visitors come only from the
one-month report; the daily users are kept for what they are (a day's users)
and never summed into a month.

A month's page report is ONE record (all its rows, in the API's order): a later
read replaces the whole month, so a page that has since fallen into GA4's
"(other)" row cannot linger beside it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from extractors.common.batch import Batch
from extractors.common.http import SourceError
from extractors.common.streams import Stream, write_record
from extractors.ga4 import models
from extractors.ga4.client import Ga4Client, OffsetPaginator, ReportPage


class Ga4Stream(Stream):
    source: ClassVar[str] = "ga4"
    path: ClassVar[str] = "properties/{property_id}:runReport"
    dimensions: ClassVar[tuple[str, ...]] = ()
    metrics: ClassVar[tuple[str, ...]] = ()
    order_bys: ClassVar[list[dict[str, Any]]] = []

    @classmethod
    def body(cls, start: dt.date, end: dt.date) -> dict[str, Any]:
        body: dict[str, Any] = {
            "dateRanges": [{"startDate": start.isoformat(), "endDate": end.isoformat()}],
            "dimensions": [{"name": d} for d in cls.dimensions],
            "metrics": [{"name": m} for m in cls.metrics],
        }
        if cls.order_bys:
            body["orderBys"] = cls.order_bys
        return body


class MonthlyUsersStream(Ga4Stream):
    name = "monthly_users"
    primary_key = ("property_id", "month")
    schema = models.MonthlyUsers
    metrics = ("activeUsers", "totalUsers")


class DailyTrafficStream(Ga4Stream):
    name = "daily_traffic"
    primary_key = ("property_id", "date")
    schema = models.DailyTraffic
    dimensions = ("date",)
    metrics = ("activeUsers", "totalUsers", "sessions", "screenPageViews")
    order_bys = [{"dimension": {"dimensionName": "date"}, "desc": False}]


class TopPagesStream(Ga4Stream):
    name = "top_pages"
    primary_key = ("property_id", "month")
    schema = models.TopPages
    dimensions = ("pageTitle", "pagePath")
    metrics = ("screenPageViews", "activeUsers")
    # ties broken by the dimensions, so offset paging sees one stable order
    order_bys = [
        {"metric": {"metricName": "screenPageViews"}, "desc": True},
        {"dimension": {"dimensionName": "pageTitle"}, "desc": False},
        {"dimension": {"dimensionName": "pagePath"}, "desc": False},
    ]


STREAMS: tuple[type[Ga4Stream], ...] = (MonthlyUsersStream, DailyTrafficStream, TopPagesStream)


@dataclass(frozen=True)
class Plan:
    """What one run asks: whole months for the monthly reports, days for the daily one."""

    months: list[dt.date]  # first days of the months
    first_day: dt.date
    last_day: dt.date


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def plan_window(first_day: dt.date, last_day: dt.date) -> Plan:
    months, m = [], first_day.replace(day=1)
    while m <= last_day:
        months.append(m)
        m = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return Plan(months, first_day, last_day)


def _check_time_zone(page: ReportPage, time_zone: str) -> None:
    tz = page.metadata.get("timeZone")
    if tz and tz != time_zone:
        raise SourceError(
            f"ga4: the property reports in {tz}, not {time_zone}: its days and months would not be the "
            "report's. Set the property's reporting time zone, or the connection extra time_zone on purpose."
        )


def extract(client: Ga4Client, batch: Batch, property_id: str, plan: Plan, paginator: OffsetPaginator,
            time_zone: str, full_refresh: bool) -> None:
    """Fill ``batch`` with the three reports of ``plan``."""
    path = Ga4Stream.path.format(property_id=property_id)
    base = {"property_id": property_id, "time_zone": time_zone}

    out = batch.stream(MonthlyUsersStream.name, MonthlyUsersStream.spec(), full_refresh)
    for month in plan.months:
        start, end = month, month_end(month)
        for page in paginator.pages(client, path, MonthlyUsersStream.body(start, end)):
            out.result.pages += 1
            _check_time_zone(page, time_zone)
            for row in page.rows:  # one row, or none for a month without data
                record = {**base, "report": MonthlyUsersStream.name, "month": month.isoformat(),
                          "start_date": start.isoformat(), "end_date": end.isoformat(),
                          "dimensions": {}, "metrics": row}
                write_record(batch, MonthlyUsersStream, record, page.request, full_refresh)

    out = batch.stream(DailyTrafficStream.name, DailyTrafficStream.spec(), full_refresh)
    last: dt.date | None = None
    body = DailyTrafficStream.body(plan.first_day, plan.last_day)
    for page in paginator.pages(client, path, body):
        out.result.pages += 1
        _check_time_zone(page, time_zone)
        for row in page.rows:
            raw_date = row.pop("date", None)
            record = {**base, "report": DailyTrafficStream.name, "date": _iso_date(raw_date),
                      "dimensions": {"date": raw_date}, "metrics": row}
            model = write_record(batch, DailyTrafficStream, record, page.request, full_refresh)
            if model is not None and (last is None or model.date > last):
                last = model.date
    if last is not None:
        out.result.watermark = dt.datetime.combine(last, dt.time(0, 0), ZoneInfo(time_zone)).isoformat()

    out = batch.stream(TopPagesStream.name, TopPagesStream.spec(), full_refresh)
    for month in plan.months:
        start, end = month, month_end(month)
        rows: list[dict[str, Any]] = []
        row_count, other, first_request = 0, False, None
        for page in paginator.pages(client, path, TopPagesStream.body(start, end)):
            out.result.pages += 1
            _check_time_zone(page, time_zone)
            rows.extend(page.rows)
            row_count = page.row_count
            other = other or bool(page.metadata.get("dataLossFromOtherRow"))
            first_request = first_request or page.request
        if rows:
            record = {**base, "report": TopPagesStream.name, "month": month.isoformat(),
                      "start_date": start.isoformat(), "end_date": end.isoformat(), "row_count": row_count,
                      "data_loss_from_other_row": other, "rows": rows}
            write_record(batch, TopPagesStream, record, first_request or "", full_refresh)
    batch.requests = client.request_count


def _iso_date(value: Any) -> Any:
    """GA4's ``date`` dimension is ``YYYYMMDD``; anything else is left for validation to reject."""
    if isinstance(value, str) and len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value
