"""Email Lapor mailbox (IMAP): the source declaration."""

from __future__ import annotations

from extractors.common.source import RunContext, Source, StreamDecl


def extract(ctx: RunContext):
    from extractors.common.batch import window
    from extractors.email_lapor import ImapConfig, read_state, run_extract

    config = ImapConfig.from_connection(ctx.connection)
    state = ctx.state(lambda conn: read_state(conn, config.mailbox_key), None)
    return run_extract(
        config, ctx.landing_dir, state, full_refresh=ctx.full_refresh, window=window(ctx.since, ctx.until)
    )


SOURCE = Source(
    name="email_lapor",
    conn_id="email_lapor_imap",
    title="Email Lapor mailbox",
    schedule="@hourly",
    streams=(
        StreamDecl(
            "messages",
            ("uidvalidity", "uid"),
            "received_at",
            "append",
            "the mailbox's EXISTS count and UIDNEXT; history is never deleted",
            {"from": "pseudonymised", "subject": "engineers_only", "message_id": "engineers_only"},
        ),
        StreamDecl("mailbox_state", ("mailbox_key",), None, "append", "one row per mailbox"),
    ),
    extract=extract,
    tags=("source", "email_lapor", "routine_reports"),
    full_refresh_help="Re-read every message of the mailbox (merge; nothing is deleted)",
    description="""
### Email Lapor mailbox (lapor.djpk@kemenkeu.go.id)

Pulls the routine reports local governments mail to the Email Lapor mailbox over
IMAP (connection `email_lapor_imap`: host, port, login, password; extra `mailbox`
(default INBOX) and `security` = ssl | starttls | none) and loads their metadata
(no body, no attachment content) into `raw.email_lapor__messages`, with the
mailbox cursor (UIDVALIDITY, last UID) in `raw.email_lapor__mailbox_state`, in one
transaction. Each run reads only the UIDs above the cursor; a changed UIDVALIDITY
re-reads the whole mailbox. The mailbox is opened read-only (EXAMINE, BODY.PEEK):
no message is marked read. Emits `raw_email_lapor`, on which `transform` runs.

`{"full_refresh": true}` re-reads every message (merge by key; history is never
deleted). See docs/sources/email_lapor.md.
""",
)
