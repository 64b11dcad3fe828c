"""Email Lapor mailbox extractor (IMAP, RFC 3501/9051, stdlib imaplib).

Runs outside Airflow: ``python -m extractors run email_lapor [--full-refresh] [--load]``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.common.batch import Batch
from extractors.common.http import RetryPolicy
from extractors.email_lapor.client import ImapClient
from extractors.email_lapor.models import MailboxState
from extractors.email_lapor.streams import STREAMS, extract

log = logging.getLogger(__name__)

SOURCE = "email_lapor"
CONN_ID = "email_lapor_imap"


@dataclass
class ImapConfig:
    host: str
    username: str
    password: str
    port: int | None = None  # 993 for ssl, 143 otherwise
    mailbox: str = "INBOX"
    security: str = "ssl"  # ssl | starttls | none
    timeout: float = 60.0
    fetch_messages: int = 200  # messages per UID FETCH
    fetch_bytes: int = 50 << 20  # and at most this many bytes (RFC822.SIZE) per UID FETCH
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __repr__(self) -> str:
        return (
            f"ImapConfig(host={self.host!r}, port={self.port!r}, username={self.username!r}, password='***', "
            f"mailbox={self.mailbox!r}, security={self.security!r})"
        )

    @property
    def mailbox_key(self) -> str:
        return f"{self.username}/{self.mailbox}"

    @classmethod
    def from_connection(cls, conn: Any) -> ImapConfig:
        """Airflow connection: host, port, login, password; extra ``mailbox``, ``security``,
        ``timeout``, ``fetch_messages``, ``fetch_bytes``."""
        extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
        return cls(
            host=conn.host or "",
            port=int(conn.port) if conn.port else None,
            username=conn.login or "",
            password=conn.password or "",
            mailbox=extra.get("mailbox", "INBOX"),
            security=extra.get("security", "ssl"),
            timeout=float(extra.get("timeout", 60)),
            fetch_messages=int(extra.get("fetch_messages", 200)),
            fetch_bytes=int(extra.get("fetch_bytes", 50 << 20)),
        )

    def client(self) -> ImapClient:
        return ImapClient(
            self.host, self.port, self.username, self.password, self.mailbox, self.security, self.timeout, self.retry
        )


def read_state(conn, mailbox_key: str) -> MailboxState | None:
    """The mailbox's cursor as the warehouse holds it (``raw.email_lapor__mailbox_state``), if any."""
    if conn.execute("select to_regclass('raw.email_lapor__mailbox_state')").fetchone()[0] is None:
        return None
    row = conn.execute(
        "select record from raw.email_lapor__mailbox_state where mailbox_key = %s", (mailbox_key,)
    ).fetchone()
    if row is None:
        return None
    record = row[0] if isinstance(row[0], dict) else __import__("json").loads(row[0])
    return MailboxState.model_validate(record)


def run_extract(
    config: ImapConfig,
    landing_dir: str | Path,
    state: MailboxState | None,
    full_refresh: bool = False,
    batch_id: str | None = None,
    window: dict | None = None,
) -> Batch:
    """Pull the messages not yet in the warehouse into a committed batch.

    ``state`` is the cursor read from the warehouse (``read_state``); ``None`` or a
    different UIDVALIDITY, or ``full_refresh``, reads every message of the mailbox.
    """
    with Batch(landing_dir, SOURCE, batch_id or "") as batch:
        client = config.client()
        try:
            decided = extract(client, batch, state, full_refresh, config.fetch_messages, config.fetch_bytes)
        finally:
            client.close()
        batch.window = {**(window or {}), "mailbox": config.mailbox_key, "full_refresh": full_refresh, **decided}
    return batch


__all__ = ["CONN_ID", "SOURCE", "STREAMS", "ImapConfig", "read_state", "run_extract"]
