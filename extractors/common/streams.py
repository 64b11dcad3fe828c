"""Streams, paging and completeness evidence, shared by every extractor.

- ``Stream``: the base of the stream classes, one per endpoint or file kind,
  declaring name, path, keys, cursor and pydantic schema (``spec()`` gives the
  batch's CSV columns).
- ``write_record``: validates one record against its stream's schema and writes
  it, or its rejection with the reason, into the batch. A field listed in
  ``soft_fields`` that fails validation is set to null instead, the record is kept
  and the reason quarantined.
- ``Listing``: what a paged listing promised and what arrived, attested to the
  batch stream (``Listing.attest``).
- ``PageNumberPaginator``: ``page``/``count`` paging (Deskpro's envelope) that
  fills a ``Listing``; the other sources' paginators live in their own clients.
- ``read_whole``: a whole listing read into a full-refresh stream.
"""

from __future__ import annotations

import datetime as dt
import logging
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlencode

import requests
from pydantic import BaseModel, ValidationError

from extractors.common.batch import Batch, StreamSpec
from extractors.common.http import MalformedPageError, RestClient

log = logging.getLogger(__name__)

_PG_TYPES = {
    int: "bigint",
    str: "text",
    dt.datetime: "timestamptz",
    dt.date: "date",
    bool: "boolean",
    float: "double precision",
}


def _pg_type(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _pg_type(args[0])
    if annotation in _PG_TYPES:
        return _PG_TYPES[annotation]
    raise TypeError(f"no postgres type for key annotation {annotation!r}")


@dataclass
class Listing:
    """What a paged listing promised and what arrived: the evidence for ``attest``."""

    expected: int | None = None  # records the source says the listing holds (first page)
    received: int = 0
    pages: int = 0
    finished: bool = False  # paging reached the last page the source announced
    problems: list[str] = field(default_factory=list)

    _first: tuple[int | None, int] | None = None

    def observe(
        self, path: str, page: int, records: int, total_records: int | None, total_pages: int, page_size: int
    ) -> None:
        """Account for one page as a page-numbered listing announced it."""
        if self._first is None:
            self._first = (total_records, total_pages)
            self.expected = total_records
        elif (total_records, total_pages) != self._first:
            self.problems.append(
                f"{path}: the listing changed while paging: page 1 said {self._first[0]} records in "
                f"{self._first[1]} pages, page {page} says {total_records} in {total_pages}"
            )
        self.pages = page
        self.received += records
        if page < total_pages and records < page_size:
            self.problems.append(f"{path}: page {page} of {total_pages} has {records} records, not {page_size}")
        self.finished = page >= total_pages

    @property
    def complete(self) -> bool:
        return self.finished and not self.problems and self.expected in (None, self.received)

    def attest(self, out: Any) -> None:
        """Hand the evidence to a batch stream (``_StreamFile.attest``)."""
        out.attest(
            complete=self.complete,
            expected=self.expected if self.finished else None,
            received=self.received,
            problems=self.problems if self.finished else [*self.problems, f"paging stopped after page {self.pages}"],
        )


@dataclass
class Page:
    records: list[dict]
    request: str  # "GET /path?query" without credentials
    number: int
    total_pages: int | None
    linked: dict[str, Any]


class PageNumberPaginator:
    """``page``/``count`` paging that stops at ``total_pages``.

    Reads both envelope variants: ``meta.pagination.{current_page,total_pages}``
    (real v2 responses) and ``meta.{page,total_pages}`` (the developer guide).
    """

    def __init__(self, page_size: int = 200, page_param: str = "page", size_param: str = "count"):
        self.page_size = page_size
        self.page_param = page_param
        self.size_param = size_param

    def pages(
        self, client: RestClient, path: str, params: dict[str, Any], listing: Listing | None = None
    ) -> Iterator[Page]:
        """Every page of ``path``. ``listing`` collects the completeness evidence: the
        source's total, what arrived, a page short or empty before the last one, and
        a total or page count that changed while paging."""
        listing = listing if listing is not None else Listing()
        page = 1
        while True:
            q = {**params, self.page_param: page, self.size_param: self.page_size}
            request = f"GET {path}?{urlencode(q)}"
            resp = client.get(path, q)
            body = _json(resp, request, page)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise MalformedPageError(f"{client.source}: {request} (page {page}): response has no 'data' list")
            total = _total_pages(body)
            if total is None:
                raise MalformedPageError(f"{client.source}: {request} (page {page}): no total_pages in 'meta'")
            linked = body.get("linked") or {}
            if not isinstance(linked, dict):
                raise MalformedPageError(f"{client.source}: {request} (page {page}): 'linked' is not a map")
            listing.observe(path, page, len(data), _total_records(body), total, self.page_size)
            yield Page(data, request, page, total, linked)
            if listing.finished:
                return
            if not data:
                return  # an empty page before the last: the listing is not complete
            page += 1


def _json(resp: requests.Response, request: str, page: int) -> Any:
    try:
        return resp.json()
    except ValueError as exc:
        raise MalformedPageError(f"{request} (page {page}): body is not JSON ({exc})") from None


def _total_records(body: dict) -> int | None:
    meta = body.get("meta")
    if not isinstance(meta, dict):
        return None
    for holder in (meta.get("pagination"), meta):
        if isinstance(holder, dict) and isinstance(holder.get("total"), int):
            return holder["total"]
    return None


def _total_pages(body: dict) -> int | None:
    meta = body.get("meta")
    if not isinstance(meta, dict):
        return None
    pag = meta.get("pagination")
    for holder in (pag, meta):
        if isinstance(holder, dict) and isinstance(holder.get("total_pages"), int):
            return holder["total_pages"]
    return None


_KEY_COLUMNS: dict[type, tuple[tuple, tuple[str, ...]]] = {}


class Stream:
    """Base of every stream. Subclasses set the class attributes; paging is the paginator's."""

    source: ClassVar[str]
    name: ClassVar[str]
    path: ClassVar[str]
    primary_key: ClassVar[tuple[str, ...]] = ("id",)
    replication_key: ClassVar[str | None] = None
    schema: ClassVar[type[BaseModel]]
    # Fields that, when invalid, are set to null (reason quarantined) instead of
    # rejecting the whole record: a ticket with a rating of 7 is still a ticket.
    soft_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def spec(cls) -> StreamSpec:
        """The batch's description of the stream (a new object each call; ``key_columns`` is the cached part)."""
        keys = list(cls.primary_key) + ([cls.replication_key] if cls.replication_key else [])
        fields = cls.schema.model_fields
        columns = [(k, _pg_type(fields[k].annotation)) for k in keys]
        return StreamSpec(
            table=f"{cls.source}__{cls.name}",
            columns=columns,
            primary_key=list(cls.primary_key),
            replication_key=cls.replication_key,
        )

    @classmethod
    def key_columns(cls) -> tuple[str, ...]:
        """The typed key columns' names (``spec().columns``), computed once per class and declaration:
        ``write_record`` needs them for every record, and ``spec()`` costs more than a validation."""
        decl = (cls.source, cls.name, cls.primary_key, cls.replication_key, cls.schema)
        cached = _KEY_COLUMNS.get(cls)
        if cached is None or cached[0] != decl:
            cached = _KEY_COLUMNS[cls] = (decl, tuple(c for c, _ in cls.spec().columns))
        return cached[1]

    @classmethod
    def key_values(cls, model: BaseModel) -> list[Any]:
        return [getattr(model, c) for c in cls.key_columns()]

    @classmethod
    def describe(cls, record: Any) -> str:
        """The record's key as ``col=value[,col=value]``: what logs, alerts and the
        quarantine name a record by (never its text). The loader builds the same
        string from the raw table's key columns to resolve quarantine entries."""
        if isinstance(record, dict):
            return ",".join(f"{k}={record.get(k)}" for k in cls.primary_key)
        return f"<{type(record).__name__}>"


def _reason(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '<record>'}: {e['msg']}" for e in exc.errors())


def write_record(
    batch: Batch, stream: type[Stream], record: Any, request: str, full_refresh: bool = False
) -> BaseModel | None:
    """Validate one record and write it, or its rejection, into the batch.

    Logs and the quarantine's reason carry the record's key and the rule it broke,
    never its text (pydantic's messages do not include the input).
    """
    out = batch._files.get(stream.name) or batch.stream(stream.name, stream.spec(), full_refresh)
    try:
        model = stream.schema.model_validate(record)
    except ValidationError as exc:
        key = stream.describe(record)
        soft = [e for e in exc.errors() if e["loc"] and e["loc"][0] in stream.soft_fields]
        if soft and len(soft) == len(exc.errors()) and isinstance(record, dict):
            kept = {**record, **{e["loc"][0]: None for e in soft}}
            try:
                model = stream.schema.model_validate(kept)
            except ValidationError:
                model = None
            if model is not None:
                reason = _reason(exc) + " (set to null, record kept)"
                log.warning("%s.%s record %s kept: %s", stream.source, stream.name, key, reason)
                out.reject(key, reason, record, request, action="nulled")
                out.result.nulled += 1
                out.write(stream.key_values(model), kept, request)
                return model
        reason = _reason(exc)
        log.warning("%s.%s record %s quarantined: %s", stream.source, stream.name, key, reason)
        out.reject(key, reason, record, request)
        return None
    out.write(stream.key_values(model), record, request)
    return model


def read_whole(
    batch: Batch, client: Any, paginator: Any, stream: type[Stream], params: dict[str, Any] | None = None
) -> None:
    """Every page of ``stream``'s listing into a full-refresh stream, each record through
    ``write_record``, the listing's completeness evidence attested."""
    out = batch.stream(stream.name, stream.spec(), full_refresh=True)
    listing = Listing()
    for page in paginator.pages(client, stream.path, params or {}, listing):
        out.result.pages += 1
        for record in page.records:
            write_record(batch, stream, record, page.request, full_refresh=True)
    listing.attest(out)
