"""What the extractor requires of each X record (the rest is kept as is).

Posts are the API objects unchanged. User snapshots are the ``data`` object of the
user lookup plus ``user_id``, ``snapshot_date`` and ``captured_at``. Analytics rows
come from the CSV export: every column, snake_cased, plus ``username``, ``date``
and the file they came from.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")


class PublicMetrics(_Record):
    followers_count: int = Field(ge=0)
    following_count: int | None = Field(default=None, ge=0)
    tweet_count: int | None = Field(default=None, ge=0)
    listed_count: int | None = Field(default=None, ge=0)


class UserSnapshot(_Record):
    user_id: str
    snapshot_date: dt.date
    captured_at: dt.datetime
    username: str
    public_metrics: PublicMetrics


class ReferencedTweet(_Record):
    type: str
    id: str


class Tweet(_Record):
    id: str = Field(pattern=r"^\d+$")
    text: str
    created_at: dt.datetime
    referenced_tweets: list[ReferencedTweet] | None = None


class AnalyticsDay(_Record):
    username: str
    date: dt.date
    source_file: str
    profile_visits: int = Field(ge=0)
