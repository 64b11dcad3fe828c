"""X API v2 (@DitjenPK) and its analytics exports: the source declaration."""

from __future__ import annotations

from extractors.common.source import RunContext, Source, StreamDecl


def extract(ctx: RunContext):
    from extractors.x import XConfig, run_extract

    return ctx.run_window(XConfig, run_extract)


SOURCE = Source(
    name="x",
    conn_id="x_api",
    title="X API v2: @DitjenPK",
    schedule="@daily",  # the follower count is a current value: one snapshot a day
    streams=(
        StreamDecl("user_snapshots", ("user_id", "snapshot_date"), None, "append", "one snapshot a day"),
        StreamDecl(
            "tweets",
            ("id",),
            "created_at",
            "incremental",
            "the timeline paged to the end (no next_token); capped by X at 3,200 posts",
        ),
        StreamDecl("account_analytics", ("username", "date"), None, "append", "each CSV export read whole"),
    ),
    extract=extract,
    tags=("source", "x", "twitter", "social"),
    retry_delay_minutes=15,
    full_refresh_help="Read the whole timeline (latest 3,200 posts) and reconcile deletions",
    description="""
### X API v2: @DitjenPK

Extracts, from the X API v2 (connection `x_api`: password = the app's Bearer
token; extra `base_url`, `username`, `analytics_dir`): the daily follower snapshot
(`GET /2/users/by/username/:username`, one row per local day), the account's posts
for the run's interval plus a lookback (`GET /2/users/:id/tweets`, paged with
`pagination_token`) and the profile visits of the X analytics CSV exports dropped
into `analytics_dir` (not in the API). Loads `raw.x__*` in one transaction and
emits `raw_x`, on which `transform` runs.

Rate limits: waits for `x-rate-limit-reset` when `x-rate-limit-remaining` is 0
and after a 429. X bills per post read: the run logs its request count.
See docs/sources/x.md.
""",
)
