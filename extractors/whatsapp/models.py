"""What the extractor requires of each WhatsApp record.

A record is the Cloud API object exactly as Meta sent it (the message or the
status), plus three fields of ours: ``_origin`` ("webhook" or "export"),
``_received_at`` (when the receiver stored the delivery; null for exports) and,
for messages, ``_contact`` (the ``value.contacts[]`` entry of the sender).
Only the fields the pipeline relies on are declared; the rest passes through.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    origin: Literal["webhook", "export"] = Field(validation_alias="_origin")


class Message(_Record):
    """One inbound message (``value.messages[]``): key ``id`` (the wamid)."""

    wamid: str = Field(min_length=1, validation_alias="id")
    wa_id: str = Field(pattern=r"^\d{6,20}$", validation_alias="from")
    sent_at: dt.datetime = Field(validation_alias="timestamp")  # Unix seconds
    type: str = Field(min_length=1)


class Status(_Record):
    """One status event of an outbound message (``value.statuses[]``): key id + status + timestamp."""

    wamid: str = Field(min_length=1, validation_alias="id")
    status: str = Field(pattern=r"^[a-z_]+$")
    status_at: dt.datetime = Field(validation_alias="timestamp")  # Unix seconds
    recipient_id: str | None = None
