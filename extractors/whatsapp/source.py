"""WhatsApp Business (webhook spool and BSP exports): the source declaration."""

from __future__ import annotations

from extractors.common.source import RunContext, Source, StreamDecl

SPOOL = "append-only: spool files rotate and expire, messages do not; nothing is ever deleted"


def extract(ctx: RunContext):
    from extractors.whatsapp import WhatsappConfig, run_extract

    return ctx.run_window(WhatsappConfig, run_extract)


def after_load(manifest: str) -> None:
    from extractors.whatsapp.tasks import prune_after_load

    prune_after_load(manifest)  # the spool's retention, once its contents are loaded


SOURCE = Source(
    name="whatsapp",
    conn_id="whatsapp_files",
    title="WhatsApp Business (Cloud API)",
    schedule="15 0 * * *",  # 07:15 WIB: yesterday's deliveries are all in the spool
    streams=(
        StreamDecl(
            "messages",
            ("wamid",),
            "sent_at",
            "append",
            SPOOL,
            {
                "from": "pseudonymised",
                "from_user_id": "pseudonymised",
                "wamid": "pseudonymised",
                "text": "engineers_only",
                "_contact": "engineers_only",
            },
        ),
        StreamDecl(
            "statuses",
            ("wamid", "status", "status_at"),
            None,
            "append",
            SPOOL,
            {"recipient_id": "pseudonymised", "wamid": "pseudonymised"},
        ),
    ),
    extract=extract,
    after_load=after_load,
    tags=("source", "whatsapp", "consultations", "chatbot"),
    full_refresh_help="Read the whole spool and every export again (append-only: nothing is deleted)",
    description="""
### WhatsApp Business (Cloud API)

Meta keeps no message history we could download: the webhook receiver
(`python -m extractors.whatsapp.receiver`, a service of its own) appends every
signed delivery to a spool. This DAG reads the spool files received since the
run's data interval start minus a lookback (default 2 days; extra `lookback_days`)
and the BSP export files (`*.jsonl`, history from before the receiver) changed
since then, both named by connection `whatsapp_files` (extra `spool_dir`,
`export_dir`), and loads `raw.whatsapp__messages` (key wamid) and
`raw.whatsapp__statuses` (key wamid + status + timestamp) in one transaction,
each record once whichever way it came. Emits the `raw_whatsapp` asset. Spool
files read in full are deleted after the retention period.

`{"full_refresh": true}` reads everything. See docs/sources/whatsapp.md.
""",
)
