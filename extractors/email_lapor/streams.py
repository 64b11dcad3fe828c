"""Email Lapor streams: the messages of the mailbox, and the mailbox's sync state.

``messages`` is incremental by UID within one UIDVALIDITY (RFC 3501 2.3.1.1):
each pull reads the messages whose UID is above the highest UID the warehouse
already holds for the same UIDVALIDITY (``mailbox_state``, loaded in the same
transaction as the messages, so the cursor never runs ahead of the data). When
the server reports another UIDVALIDITY (the mailbox was recreated or moved to
another server) every UID is meaningless: the pull starts again from the first
message, and the warehouse's dedupe by Message-ID keeps each message once.

Only metadata is written (see ``models``): a message's body and its attachments'
bytes are read into memory to hash and measure them, and go no further.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import logging
from email.header import decode_header, make_header
from email.message import Message as EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from typing import ClassVar

from extractors.common.batch import Batch
from extractors.common.streams import Stream, write_record
from extractors.email_lapor import models
from extractors.email_lapor.client import Fetched, ImapClient, chunks

log = logging.getLogger(__name__)


class EmailLaporStream(Stream):
    source: ClassVar[str] = "email_lapor"


class MessagesStream(EmailLaporStream):
    name = "messages"
    path = "UID FETCH (UID INTERNALDATE RFC822.SIZE BODY.PEEK[])"
    primary_key = ("uidvalidity", "uid")
    replication_key = "received_at"  # the batch watermark: newest INTERNALDATE (the cursor is the UID)
    schema = models.Message


class MailboxStateStream(EmailLaporStream):
    name = "mailbox_state"
    path = "EXAMINE"
    primary_key = ("mailbox_key",)
    schema = models.MailboxState


STREAMS: tuple[type[EmailLaporStream], ...] = (MessagesStream, MailboxStateStream)


# --------------------------------------------------------------------- parsing


def _text(value) -> str | None:
    """A header as text, MIME encoded words decoded; undecodable parts kept as they are."""
    if value is None:
        return None
    try:
        text = str(make_header(decode_header(str(value))))
    except (UnicodeError, LookupError, ValueError):
        text = str(value)
    text = " ".join(text.split())
    return text or None


def _sender(msg: EmailMessage) -> tuple[str | None, str | None]:
    values = msg.get_all("From") or msg.get_all("Sender") or []
    for _, addr in getaddresses([str(v) for v in values]):
        addr = addr.strip().lower()
        if "@" in addr:
            return addr, addr.rsplit("@", 1)[1].strip(".") or None
    return None, None


def _date(value) -> dt.datetime | None:
    if not value:
        return None
    try:
        d = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    return d if d and d.tzinfo else None


def _attachments(msg: EmailMessage) -> list[dict]:
    out = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = (part.get_content_disposition() or "").lower()
        if disposition != "attachment" and not filename:
            continue  # the body text (or an inline part without a name)
        payload = part.get_payload(decode=True) or b""
        out.append(
            {
                "filename": _text(filename) if filename else None,
                "content_type": part.get_content_type(),
                "size": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
            }
        )
        del payload
    return out


def message_record(fetched: Fetched, uidvalidity: int, mailbox: str) -> dict:
    """The metadata record of one fetched message (JSON-ready)."""
    msg = email.message_from_bytes(fetched.raw, policy=email.policy.compat32)
    sender, domain = _sender(msg)
    sent_at = _date(msg.get("Date"))
    received_at, source = fetched.internaldate, "internaldate"
    if received_at is None:
        received_at, source = sent_at, "date_header"
    message_id = _text(msg.get("Message-ID"))
    return {
        "uidvalidity": uidvalidity,
        "uid": fetched.uid,
        "mailbox": mailbox,
        "received_at": received_at.isoformat() if received_at else None,
        "received_at_source": source,
        "message_id": message_id.strip() if message_id else None,
        "sender_address": sender,
        "sender_domain": domain,
        "subject": _text(msg.get("Subject")),
        "sent_at": sent_at.isoformat() if sent_at else None,
        "size": fetched.size if fetched.size is not None else len(fetched.raw),
        "is_spam": str(msg.get("X-Spam-Flag") or "").strip().upper() == "YES",
        "raw_sha256": hashlib.sha256(fetched.raw).hexdigest(),
        "attachments": _attachments(msg),
    }


# --------------------------------------------------------------------- extract


def extract(
    client: ImapClient,
    batch: Batch,
    state: models.MailboxState | None,
    full_refresh: bool,
    max_messages: int = 200,
    max_bytes: int = 50 << 20,
) -> dict:
    """Fill ``batch`` with the new messages and the mailbox's new state; return what was decided."""
    status = client.open()
    mailbox_key = f"{client.username}/{client.mailbox}"
    if full_refresh:
        first_uid, reason = 1, "full refresh"
    elif state is None:
        first_uid, reason = 1, "no state in the warehouse (first pull)"
    elif state.uidvalidity != status.uidvalidity:
        first_uid, reason = 1, f"UIDVALIDITY changed from {state.uidvalidity} to {status.uidvalidity}"
        log.warning("email_lapor: %s of %s: re-reading every message", reason, mailbox_key)
    else:
        first_uid, reason = state.last_uid + 1, None
    listing = client.list_uids(first_uid)
    log.info(
        "email_lapor: %s UIDVALIDITY %d, %d messages, %d to read from UID %d",
        mailbox_key,
        status.uidvalidity,
        status.exists,
        len(listing),
        first_uid,
    )
    out = batch.stream(MessagesStream.name, MessagesStream.spec())  # merge only: never deletes history
    newest: dt.datetime | None = None
    last_uid = first_uid - 1
    for uids in chunks(listing, max_messages, max_bytes):
        request, fetched = client.fetch(uids)
        out.result.pages += 1
        missing = set(uids) - {f.uid for f in fetched}
        if missing:
            log.warning(
                "email_lapor: %d UIDs vanished before they were fetched (expunged): %s",
                len(missing),
                sorted(missing)[:10],
            )
        for f in fetched:
            try:
                record = message_record(f, status.uidvalidity, client.mailbox)
            except Exception as exc:  # noqa: BLE001 - an unparsable message is quarantined, not fatal
                record = {
                    "uidvalidity": status.uidvalidity,
                    "uid": f.uid,
                    "mailbox": client.mailbox,
                    "parse_error": f"{type(exc).__name__}: {exc}",
                    "size": f.size,
                }
            model = write_record(batch, MessagesStream, record, request)
            if model is not None and (newest is None or model.received_at > newest):
                newest = model.received_at
        last_uid = max(last_uid, *uids)  # rejected messages too: they are in quarantine, not lost
    out.result.watermark = newest.isoformat() if newest else None
    new_state = {
        "mailbox_key": mailbox_key,
        "mailbox": client.mailbox,
        "uidvalidity": status.uidvalidity,
        "last_uid": max(last_uid, 0),
        "uidnext": status.uidnext,
        "exists": status.exists,
    }
    write_record(batch, MailboxStateStream, new_state, f"EXAMINE {client.mailbox}")
    batch.requests = client.command_count
    return {
        "first_uid": first_uid,
        "reset_reason": reason,
        "uidvalidity": status.uidvalidity,
        "previous_uidvalidity": state.uidvalidity if state else None,
        "to_read": len(listing),
        "last_uid": new_state["last_uid"],
    }
