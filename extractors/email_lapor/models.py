"""What the extractor writes for each message and for the mailbox's sync state.

A message record is METADATA ONLY: identifiers, sender address and domain, the
decoded subject, times, size, the spam verdict of the mail gateway, and for each
attachment its file name, content type, decoded size and sha256. Neither the
body text nor any attachment byte is ever put in a record (``extra="forbid"``:
nothing else can slip in).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str | None = None
    content_type: str
    size: int = Field(ge=0)  # decoded bytes
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uidvalidity: int = Field(gt=0)
    uid: int = Field(gt=0)
    mailbox: str
    received_at: dt.datetime  # INTERNALDATE (the Date header only when the server gives none)
    received_at_source: str = Field(pattern=r"^(internaldate|date_header)$")
    message_id: str | None = None
    sender_address: str | None = None
    sender_domain: str | None = None
    subject: str | None = None
    sent_at: dt.datetime | None = None  # the Date header, as the sender's clock wrote it
    size: int = Field(ge=0)  # RFC822.SIZE
    is_spam: bool = False  # X-Spam-Flag: YES from the mail gateway's filter
    raw_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")  # fingerprint of the whole message
    attachments: list[Attachment] = Field(default_factory=list)

    @field_validator("received_at")
    @classmethod
    def _aware(cls, v: dt.datetime) -> dt.datetime:
        if v.tzinfo is None:
            raise ValueError("received_at has no time zone")
        return v


class MailboxState(BaseModel):
    """Where the next incremental pull of one mailbox starts."""

    model_config = ConfigDict(extra="forbid")

    mailbox_key: str  # "<login>/<mailbox>"
    mailbox: str
    uidvalidity: int = Field(gt=0)
    last_uid: int = Field(ge=0)  # highest UID read under this UIDVALIDITY
    uidnext: int | None = None
    exists: int = Field(ge=0)
