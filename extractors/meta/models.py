"""What the extractor requires of each Graph API record (the rest is kept as is).

Records of the list edges (media, stories, posts) are the API objects unchanged.
Snapshot and insights records are built by the extractor from the API answer:
the object's fields or one insights value, plus the keys that make them rows
(``account_id``/``page_id``, ``snapshot_date``, ``metric``, ``end_time``, ...).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")


class IgAccountSnapshot(_Record):
    account_id: str
    snapshot_date: dt.date
    captured_at: dt.datetime
    followers_count: int = Field(ge=0)
    follows_count: int | None = Field(default=None, ge=0)
    media_count: int | None = Field(default=None, ge=0)
    username: str | None = None


class IgMedia(_Record):
    id: str = Field(min_length=1)
    timestamp: dt.datetime
    media_product_type: str
    media_type: str | None = None
    like_count: int | None = Field(default=None, ge=0)  # omitted when likes are hidden
    comments_count: int | None = Field(default=None, ge=0)
    permalink: str | None = None


class MediaInsight(_Record):
    media_id: str
    metric: str
    period: str
    value: int | float | dict[str, Any] | None = None


class AccountInsight(_Record):
    account_id: str
    metric: str
    period: str
    metric_type: str
    end_time: dt.datetime
    metric_date: dt.date
    value: int | float | dict[str, Any] | None = None


class PageSnapshot(_Record):
    page_id: str
    snapshot_date: dt.date
    captured_at: dt.datetime
    followers_count: int = Field(ge=0)
    fan_count: int | None = Field(default=None, ge=0)
    name: str | None = None


class FbPost(_Record):
    id: str = Field(min_length=1)
    created_time: dt.datetime
    message: str | None = None
    permalink_url: str | None = None
    status_type: str | None = None


class PostInsight(_Record):
    post_id: str
    metric: str
    period: str
    value: int | float | dict[str, Any] | None = None


class PageInsight(_Record):
    page_id: str
    metric: str
    period: str
    end_time: dt.datetime
    metric_date: dt.date
    value: int | float | dict[str, Any] | None = None
