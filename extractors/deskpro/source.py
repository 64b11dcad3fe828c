"""Deskpro help desk (REST API v2): the source declaration."""

from __future__ import annotations

from extractors.common.source import RunContext, Source, StreamDecl

TOTAL = "meta.pagination.total of the ticket listing; every page full but the last"


def extract(ctx: RunContext):
    from extractors.deskpro import DeskproConfig, run_extract

    # A run without a data interval (an Airflow 3 manual trigger) reads everything
    # but is not a full refresh: it deletes nothing.
    return ctx.run_window(DeskproConfig, run_extract)


SOURCE = Source(
    name="deskpro",
    conn_id="deskpro_api",
    title="Deskpro help desk",
    schedule="@daily",
    streams=(
        StreamDecl(
            "tickets",
            ("id",),
            "date_status",
            "incremental",
            TOTAL,
            {"person": "pseudonymised", "subject": "engineers_only"},
        ),
        StreamDecl(
            "people",
            ("id",),
            None,
            "incremental",
            "linked from the complete ticket listing",
            {
                "name": "engineers_only",
                "primary_email": "pseudonymised",
                "emails": "engineers_only",
                "phone_numbers": "engineers_only",
            },
        ),
        StreamDecl("organizations", ("id",), None, "incremental", "linked from the complete ticket listing"),
        StreamDecl("ticket_departments", ("id",), None, "full_refresh", "meta.pagination.total"),
        StreamDecl("agents", ("id",), None, "full_refresh", "meta.pagination.total"),
    ),
    extract=extract,
    # Sunday's run re-reads every ticket: tickets hidden from the listing (spam, deleted)
    # after they loaded stop counting; the completeness guard decides what may be deleted.
    reconcile_weekday=6,
    tags=("source", "deskpro", "consultations"),
    full_refresh_help="Read every ticket and reconcile deletions",
    description="""
### Deskpro help desk

Extracts tickets (with their linked people and organizations), departments and
agents from the Deskpro REST API v2 (connection `deskpro_api`: password = API key,
extra `base_url`) for the run's data interval plus a lookback (default 7 days;
extra `lookback_days`), and loads them into `raw.deskpro__*` in one transaction.
Emits the `raw_deskpro` asset, on which the `transform` DAG is scheduled.

Sunday's run is a full refresh (reconciliation): it deletes the tickets Deskpro
no longer lists, when the listing is proved complete.

Backfill a range with `airflow backfill create --dag-id deskpro --from-date ... --to-date ...`;
reconcile with a manual run and `{"full_refresh": true}`: it deletes only when the
listing is proved complete (docs/operations.md).
""",
)
