"""What the extractor requires of each Deskpro record (the rest is kept as is).

Only the fields the pipeline relies on are declared; unknown fields pass through
into the raw record untouched (``extra="allow"``). A record that breaks these
rules is quarantined with the reason, and the rest of the run still loads.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")


class Ticket(_Record):
    id: int = Field(gt=0)
    status: str
    date_created: dt.datetime
    date_status: dt.datetime
    department: int | None = None
    person: int | None = None
    organization: int | None = None
    agent: int | None = None
    creation_system: str | None = None
    hidden_status: str | None = None
    linked_chat: int | None = None
    date_first_agent_reply: dt.datetime | None = None
    date_resolved: dt.datetime | None = None
    feedback_rating: int | None = Field(default=None, ge=1, le=5)


class Person(_Record):
    id: int = Field(gt=0)
    name: str | None = None
    organization: int | None = None


class Organization(_Record):
    id: int = Field(gt=0)
    name: str


class Department(_Record):
    id: int = Field(gt=0)
    title: str


class Agent(_Record):
    id: int = Field(gt=0)
    name: str
