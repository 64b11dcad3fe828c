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

Per-item errors stay per item: each ``runReport`` request is one item. A report
the API refuses with a 400 is skipped with its reason (``raw._quarantine``,
keyed ``property_id=...,month=...``), the rest loads; see ``extract``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from extractors.common.batch import Batch
from extractors.common.http import SourceError
from extractors.common.streams import Stream, write_record
from extractors.ga4 import models
from extractors.ga4.client import Ga4Client, OffsetPaginator, ReportError, ReportPage

log = logging.getLogger(__name__)


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


def extract(
    client: Ga4Client,
    batch: Batch,
    property_id: str,
    plan: Plan,
    paginator: OffsetPaginator,
    time_zone: str,
    full_refresh: bool,
) -> None:
    """Fill ``batch`` with the three reports of ``plan``.

    Per-item errors stay per item: a report the API refuses (``ReportError``, a 400
    for that request) is skipped with its reason in the stream's rejections
    (``raw._quarantine``), its stream deletes nothing this run, and the other reports
    load. When EVERY report of the run is refused the cause is not one report (the
    property or the report definitions): the run fails.
    """
    path = Ga4Stream.path.format(property_id=property_id)
    base = {"property_id": property_id, "time_zone": time_zone}
    skipped: list[dict[str, Any]] = []
    asked = 0

    def read(stream: type[Ga4Stream], body: dict[str, Any], key: dict[str, Any], what: str) -> list[ReportPage] | None:
        """Every page of one report, or None when the API refused it (recorded)."""
        nonlocal asked
        asked += 1
        out = batch.stream(stream.name, stream.spec(), full_refresh)
        try:
            pages = list(paginator.pages(client, path, body))
        except ReportError as exc:
            record = {
                **key,
                "report": stream.name,
                "start_date": body["dateRanges"][0]["startDate"],
                "end_date": body["dateRanges"][0]["endDate"],
                "error": {"status": exc.status, "message": exc.api_message},
            }
            reason = (
                f"the report was refused: 400 {exc.status}: {exc.api_message}; {what} is skipped for this "
                "run, the other reports loaded"
            )
            name = stream.describe(record)
            out.reject(name, reason, record, exc.request)
            skipped.append({"stream": stream.name, "key": name, "status": exc.status})
            log.warning("ga4.%s: %s skipped: %s", stream.name, name, reason)
            if out.result.full_refresh:
                log.warning("ga4.%s: a report was skipped: this full refresh deletes nothing", stream.name)
                out.result.full_refresh = False
            return None
        for page in pages:
            out.result.pages += 1
            _check_time_zone(page, time_zone)
        return pages

    batch.stream(MonthlyUsersStream.name, MonthlyUsersStream.spec(), full_refresh)
    for month in plan.months:
        start, end = month, month_end(month)
        pages = read(
            MonthlyUsersStream,
            MonthlyUsersStream.body(start, end),
            {"property_id": property_id, "month": month.isoformat()},
            f"the month {month:%Y-%m}",
        )
        for page in pages or []:
            for row in page.rows:  # one row, or none for a month without data
                record = {
                    **base,
                    "report": MonthlyUsersStream.name,
                    "month": month.isoformat(),
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat(),
                    "dimensions": {},
                    "metrics": row,
                }
                write_record(batch, MonthlyUsersStream, record, page.request, full_refresh)

    out = batch.stream(DailyTrafficStream.name, DailyTrafficStream.spec(), full_refresh)
    last: dt.date | None = None
    body = DailyTrafficStream.body(plan.first_day, plan.last_day)
    pages = read(
        DailyTrafficStream,
        body,
        {"property_id": property_id, "date": f"{plan.first_day.isoformat()}..{plan.last_day.isoformat()}"},
        f"the days {plan.first_day} .. {plan.last_day}",
    )
    for page in pages or []:
        for row in page.rows:
            raw_date = row.pop("date", None)
            record = {
                **base,
                "report": DailyTrafficStream.name,
                "date": _iso_date(raw_date),
                "dimensions": {"date": raw_date},
                "metrics": row,
            }
            model = write_record(batch, DailyTrafficStream, record, page.request, full_refresh)
            if model is not None and (last is None or model.date > last):
                last = model.date
    if last is not None:
        out.result.watermark = dt.datetime.combine(last, dt.time(0, 0), ZoneInfo(time_zone)).isoformat()

    batch.stream(TopPagesStream.name, TopPagesStream.spec(), full_refresh)
    for month in plan.months:
        start, end = month, month_end(month)
        pages = read(
            TopPagesStream,
            TopPagesStream.body(start, end),
            {"property_id": property_id, "month": month.isoformat()},
            f"the month {month:%Y-%m}",
        )
        rows: list[dict[str, Any]] = []
        row_count, other, first_request = 0, False, None
        for page in pages or []:
            rows.extend(page.rows)
            row_count = page.row_count
            other = other or bool(page.metadata.get("dataLossFromOtherRow"))
            first_request = first_request or page.request
        if rows:
            record = {
                **base,
                "report": TopPagesStream.name,
                "month": month.isoformat(),
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "row_count": row_count,
                "data_loss_from_other_row": other,
                "rows": rows,
            }
            write_record(batch, TopPagesStream, record, first_request or "", full_refresh)
    batch.window["skipped_reports"] = skipped
    batch.requests = client.request_count
    for stream in (MonthlyUsersStream, DailyTrafficStream, TopPagesStream):
        # Every report read was read to its rowCount (OffsetPaginator fails otherwise). A
        # refused report is quarantined and its stream's full refresh already deletes nothing.
        batch.stream(stream.name, stream.spec(), full_refresh).attest(complete=True)
    if skipped and len(skipped) == asked:
        raise SourceError(
            f"ga4: all {asked} reports of the run were refused (first: {skipped[0]['key']}, "
            f"{skipped[0]['status']}): not a problem of one report; check the connection's property "
            "and time zone and the report definitions"
        )


def _iso_date(value: Any) -> Any:
    """GA4's ``date`` dimension is ``YYYYMMDD``; anything else is left for validation to reject."""
    if isinstance(value, str) and len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value
