"""Deskpro REST API v2 streams.

The API documents no "updated since" filter, so tickets are paged newest status
change first (``order_by=date_status&order_dir=desc``) and paging stops at the
first page that reaches below the window start. A ticket whose status changes
while we page jumps to page 1 and is caught by the next run (its ``date_status``
is then recent), which is why every run re-reads a lookback.

Every listing read to its end attests its completeness (``Listing``): the
envelope's ``total`` against what arrived, every page full but the last. A server
that ignores ``order_by`` (pages not in descending ``date_status``) is detected,
and the run then pages the whole listing instead of stopping early.

People and organizations come from the ``linked`` maps of the ticket pages
(``include=person,organization``): exactly those the tickets reference.
Departments and agents are small and read whole every run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import ClassVar

from extractors.common.batch import Batch
from extractors.common.http import MalformedPageError, RestClient
from extractors.common.streams import Listing, PageNumberPaginator, Stream, read_whole, write_record
from extractors.deskpro import models

log = logging.getLogger(__name__)


class DeskproStream(Stream):
    source: ClassVar[str] = "deskpro"


class TicketsStream(DeskproStream):
    name = "tickets"
    path = "/tickets"
    primary_key = ("id",)
    replication_key = "date_status"
    schema = models.Ticket
    soft_fields = ("feedback_rating",)  # a rating outside 1-5 is nulled; the ticket counts
    params: ClassVar[dict] = {"order_by": "date_status", "order_dir": "desc", "include": "person,organization"}


class PeopleStream(DeskproStream):
    name = "people"
    path = "/people"
    schema = models.Person
    linked_key = "person"


class OrganizationsStream(DeskproStream):
    name = "organizations"
    path = "/organizations"
    schema = models.Organization
    linked_key = "organization"


class DepartmentsStream(DeskproStream):
    name = "ticket_departments"
    path = "/ticket_departments"
    schema = models.Department


class AgentsStream(DeskproStream):
    name = "agents"
    path = "/agents"
    schema = models.Agent


STREAMS: tuple[type[DeskproStream], ...] = (
    TicketsStream,
    PeopleStream,
    OrganizationsStream,
    DepartmentsStream,
    AgentsStream,
)
LINKED = (PeopleStream, OrganizationsStream)
WHOLE = (DepartmentsStream, AgentsStream)


def extract(
    client: RestClient,
    batch: Batch,
    since: dt.datetime | None,
    paginator: PageNumberPaginator | None = None,
    full_refresh: bool | None = None,
) -> None:
    """Fill ``batch`` with every stream. ``since=None`` reads everything.

    ``full_refresh`` (default: ``since is None``) marks the ticket streams for
    reconciliation: the loader deletes what the listing no longer holds, if the
    listing is proved complete. Reading everything without it deletes nothing.
    """
    paginator = paginator or PageNumberPaginator(page_size=200)
    full = since is None if full_refresh is None else full_refresh
    tickets = batch.stream(TicketsStream.name, TicketsStream.spec(), full)
    watermark: dt.datetime | None = None
    listing = Listing()
    ordered = True
    previous: dt.datetime | None = None  # date_status of the record before, across pages
    stopped_early = False
    for page in paginator.pages(client, TicketsStream.path, TicketsStream.params, listing):
        tickets.result.pages += 1
        oldest: dt.datetime | None = None
        for record in page.records:
            model = (
                write_record(batch, TicketsStream, record, page.request, full) if _in_window(record, since) else None
            )
            status_at = model.date_status if model else _date_status(record)
            if status_at is not None:
                if ordered and previous is not None and status_at > previous:
                    ordered = False
                    log.warning(
                        "deskpro.tickets: %s is not in descending date_status order (the server ignores "
                        "order_by); reading the whole listing instead of stopping at %s",
                        page.request,
                        since,
                    )
                previous = status_at
                oldest = status_at if oldest is None else min(oldest, status_at)
            if model and (watermark is None or model.date_status > watermark):
                watermark = model.date_status
        for stream in LINKED:
            for record in _linked(page.linked, stream.linked_key, page.request):
                write_record(batch, stream, record, page.request, full)
        if since is not None and ordered and oldest is not None and oldest < since:
            stopped_early = True
            break  # ordered by date_status desc: every later page is older still
    if stopped_early:  # by design: the pages read must still have arrived whole
        tickets.attest(complete=not listing.problems, problems=listing.problems)
    else:
        listing.attest(tickets)
    tickets.result.watermark = watermark.isoformat() if watermark else None
    for stream in LINKED:
        out = batch.stream(stream.name, stream.spec(), full)  # present even when empty
        out.attest(
            complete=bool(tickets.result.complete),
            problems=[] if tickets.result.complete else ["the ticket listing they are linked from is not complete"],
        )
    for stream in WHOLE:
        read_whole(batch, client, paginator, stream)
    batch.requests = client.request_count


def _in_window(record: dict, since: dt.datetime | None) -> bool:
    if since is None:
        return True
    status_at = _date_status(record)
    return status_at is None or status_at >= since  # unparsable: let validation reject it


def _date_status(record: dict) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(record["date_status"])
    except (KeyError, TypeError, ValueError):
        return None
    return value if value.tzinfo else None


def _linked(linked: dict, key: str, request: str) -> Iterator[dict]:
    items = linked.get(key) or {}
    if isinstance(items, list):  # some deployments answer an empty map as []
        items = {str(i.get("id")): i for i in items if isinstance(i, dict)}
    if not isinstance(items, dict):
        raise MalformedPageError(f"deskpro: {request}: linked.{key} is not a map")
    yield from items.values()
