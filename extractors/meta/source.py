"""Meta Graph API (Instagram @ditjenpk and the Facebook Page): the source declaration."""

from __future__ import annotations

from extractors.common.source import RunContext, Source, StreamDecl

PAGED = "the edge paged to the end (no paging.next)"


def extract(ctx: RunContext):
    from extractors.meta import MetaConfig, run_extract

    return ctx.run_window(MetaConfig, run_extract)


SOURCE = Source(
    name="meta",
    conn_id="meta_graph_api",
    title="Meta Graph API: Instagram @ditjenpk and the Facebook Page",
    schedule="20 */6 * * *",
    streams=(
        StreamDecl("ig_account_snapshots", ("account_id", "snapshot_date"), None, "append", "one snapshot a day"),
        StreamDecl("ig_media", ("id",), "timestamp", "incremental", PAGED),
        StreamDecl("ig_stories", ("id",), "timestamp", "append", "the last 24 hours, read every 6 hours"),
        StreamDecl("ig_media_insights", ("media_id", "metric"), None, "append", "one call per media"),
        StreamDecl(
            "ig_user_insights",
            ("account_id", "metric", "metric_type", "period", "end_time"),
            None,
            "append",
            "one call per metric and window",
        ),
        StreamDecl("fb_page_snapshots", ("page_id", "snapshot_date"), None, "append", "one snapshot a day"),
        StreamDecl("fb_posts", ("id",), "created_time", "incremental", PAGED),
        StreamDecl("fb_post_insights", ("post_id", "metric"), None, "append", "one call per post"),
        StreamDecl(
            "fb_page_insights",
            ("page_id", "metric", "period", "end_time"),
            None,
            "append",
            "one call per metric and window",
        ),
    ),
    extract=extract,
    tags=("source", "meta", "instagram", "facebook", "social"),
    retry_delay_minutes=10,
    full_refresh_help="Read every media/post and the insights history; reconcile deletions",
    description="""
### Meta Graph API: Instagram @ditjenpk and the Facebook Page

Extracts, from the Graph API (connection `meta_graph_api`: password = access token;
extra `base_url` with the API version, `ig_user_id`, `page_id`, the metric lists
`ig_user_metrics`, `ig_media_metrics`, `page_metrics`, `post_metrics`):
follower snapshots (one row per account and local day), Instagram media, the
last 24 hours of stories, media/post lifetime insights and daily account/Page
insights for the run's interval plus a lookback (default 7 days), and loads them
into `raw.meta__*` in one transaction. Emits `raw_meta`, on which `transform` runs.

Runs every 6 hours: stories disappear from the API after 24 hours. A metric or an
item the API refuses (invalid metric, media without insights) is skipped with its
reason in `raw._quarantine` (and the log); the rest loads. Usage headers above
80 % slow the client down; rate-limit errors (codes 4/17/32/613/80001) are waited
out. See docs/sources/meta.md.
""",
)
