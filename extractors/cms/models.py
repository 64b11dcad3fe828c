"""What the extractor requires of each WordPress record (the rest passes through).

WordPress writes ``date_gmt`` and ``modified_gmt`` in UTC without an offset; the
schema reads them as UTC, so the typed key column ``modified_gmt`` is a true
``timestamptz`` whatever the database session's time zone. ``date`` (site time)
is kept in the record as served. Titles are kept exactly as rendered (HTML
entities and all): staging decodes them.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")


class Rendered(BaseModel):
    model_config = ConfigDict(extra="allow")
    rendered: str


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Post(_Record):
    id: int = Field(gt=0)
    date: dt.datetime
    date_gmt: dt.datetime
    modified_gmt: dt.datetime
    slug: str
    status: str
    link: str
    title: Rendered
    categories: list[int]

    _as_utc = field_validator("date_gmt", "modified_gmt")(_utc)


class Category(_Record):
    id: int = Field(gt=0)
    name: str
    slug: str = Field(min_length=1)
    parent: int = 0
    count: int | None = None
