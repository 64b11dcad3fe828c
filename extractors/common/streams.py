"""Stream classes: one per endpoint, declaring name, path, keys and schema.

A stream yields ``(record, request)`` pairs from the source; ``run_stream``
validates each record against the stream's pydantic schema and writes it (or its
rejection, with the reason) into the batch. Paging is a small swappable class.
"""

from __future__ import annotations

import datetime as dt
import logging
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

import requests
from pydantic import BaseModel, ValidationError

from extractors.common.batch import Batch, StreamSpec
from extractors.common.http import MalformedPageError, RestClient

log = logging.getLogger(__name__)

_PG_TYPES = {int: "bigint", str: "text", dt.datetime: "timestamptz", dt.date: "date", bool: "boolean", float: "double precision"}


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

    def pages(self, client: RestClient, path: str, params: dict[str, Any]) -> Iterator[Page]:
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
            yield Page(data, request, page, total, linked)
            if page >= total or not data:
                return
            page += 1


def _json(resp: requests.Response, request: str, page: int) -> Any:
    try:
        return resp.json()
    except ValueError as exc:
        raise MalformedPageError(f"{request} (page {page}): body is not JSON ({exc})") from None


def _total_pages(body: dict) -> int | None:
    meta = body.get("meta")
    if not isinstance(meta, dict):
        return None
    pag = meta.get("pagination")
    for holder in (pag, meta):
        if isinstance(holder, dict) and isinstance(holder.get("total_pages"), int):
            return holder["total_pages"]
    return None


class Stream:
    """Base of every stream. Subclasses set the class attributes and ``pages``."""

    source: ClassVar[str]
    name: ClassVar[str]
    path: ClassVar[str]
    primary_key: ClassVar[tuple[str, ...]] = ("id",)
    replication_key: ClassVar[str | None] = None
    schema: ClassVar[type[BaseModel]]

    @classmethod
    def spec(cls) -> StreamSpec:
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
    def key_values(cls, model: BaseModel) -> list[Any]:
        return [getattr(model, c) for c, _ in cls.spec().columns]

    @classmethod
    def describe(cls, record: Any) -> str:
        if isinstance(record, dict):
            return ",".join(f"{k}={record.get(k)!r}" for k in cls.primary_key)
        return repr(record)[:80]


def write_record(batch: Batch, stream: type[Stream], record: Any, request: str, full_refresh: bool = False) -> BaseModel | None:
    """Validate one record and write it, or its rejection, into the batch."""
    out = batch.stream(stream.name, stream.spec(), full_refresh)
    try:
        model = stream.schema.model_validate(record)
    except ValidationError as exc:
        reason = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<record>'}: {e['msg']}" for e in exc.errors())
        key = stream.describe(record)
        log.error("%s.%s record %s rejected: %s (from %s)", stream.source, stream.name, key, reason, request)
        out.reject(key, reason, record, request)
        return None
    out.write(stream.key_values(model), record, request)
    return model
