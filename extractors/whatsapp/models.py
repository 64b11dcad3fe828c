"""What the extractor requires of each WhatsApp record.

A record is the Cloud API object exactly as Meta sent it (the message or the
status), plus three fields of ours: ``_origin`` ("webhook" or "export"),
``_received_at`` (when the receiver stored the delivery; null for exports) and,
for messages, ``_contact`` (the ``value.contacts[]`` entry of the sender).
Only the fields the pipeline relies on are declared; the rest passes through.

Who sent a message: Meta identifies a WhatsApp user by phone number (``wa_id``,
digits; ``messages[].from``, ``contacts[].wa_id``) and, since 2026, also by a
business-scoped user id (BSUID: ``US.13491208655302741918``, or ``US.ENT.…`` for a
parent BSUID; ``messages[].from_user_id``, ``contacts[].user_id``). A user who
adopted a WhatsApp username may come with the BSUID only: ``from`` is then absent
(or, as some BSPs relay it, holds the BSUID). A message needs one of the two;
``Message.user_ref`` is the one that keys the user: ``from`` when present, else
``from_user_id``. Statuses carry ``recipient_id`` (phone) and/or ``recipient_user_id``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PHONE = r"\d{6,20}"  # a wa_id: the phone number, digits only
BSUID = r"[A-Z]{2}(?:\.[A-Za-z0-9]{1,128}){1,2}"  # country code, ".", id (parent BSUIDs: "CC.ENT.id")
USER = rf"^(?:{PHONE}|{BSUID})$"


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    origin: Literal["webhook", "export"] = Field(validation_alias="_origin")


class Message(_Record):
    """One inbound message (``value.messages[]``): key ``id`` (the wamid)."""

    wamid: str = Field(min_length=1, validation_alias="id")
    wa_id: str | None = Field(None, pattern=USER, validation_alias="from")  # phone number (or a BSUID)
    user_id: str | None = Field(None, pattern=rf"^{BSUID}$", validation_alias="from_user_id")  # the BSUID
    sent_at: dt.datetime = Field(validation_alias="timestamp")  # Unix seconds
    type: str = Field(min_length=1)

    @model_validator(mode="after")
    def _has_a_sender(self) -> Message:
        if not self.wa_id and not self.user_id:
            raise ValueError("no sender: neither 'from' (wa_id) nor 'from_user_id' (business-scoped user id)")
        return self

    @property
    def user_ref(self) -> str:
        """What keys the user: ``from`` when the message carries it, else the BSUID."""
        return self.wa_id or self.user_id  # type: ignore[return-value]


class Status(_Record):
    """One status event of an outbound message (``value.statuses[]``): key id + status + timestamp."""

    wamid: str = Field(min_length=1, validation_alias="id")
    status: str = Field(pattern=r"^[a-z_]+$")
    status_at: dt.datetime = Field(validation_alias="timestamp")  # Unix seconds
    recipient_id: str | None = None  # phone number; absent when sent to a BSUID whose phone is withheld
    recipient_user_id: str | None = None  # BSUID
