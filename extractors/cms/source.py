"""Website publications (WordPress REST API): the source declaration."""

from __future__ import annotations

from extractors.common.source import RunContext, Source, StreamDecl


def extract(ctx: RunContext):
    from extractors.cms import CmsConfig, run_extract

    return ctx.run_window(CmsConfig, run_extract)


SOURCE = Source(
    name="cms",
    conn_id="cms_api",
    title="Website publications (CMS)",
    schedule="@daily",
    streams=(
        StreamDecl("posts", ("id",), "modified_gmt", "incremental", "X-WP-Total header; every page full but the last"),
        StreamDecl("categories", ("id",), None, "full_refresh", "X-WP-Total header"),
    ),
    extract=extract,
    tags=("source", "cms", "website"),
    full_refresh_help="Read every published post and delete what the site no longer publishes",
    description="""
### Website publications (CMS)

Reads the site's posts and categories through the CMS's API (connection `cms_api`:
extra `kind`, default `wordpress`, and `base_url`, the site root; login/password
only if the site requires a WordPress application password): posts modified in
the run's data interval plus a lookback (default 7 days; extra `lookback_days`),
every category. Loads them into `raw.cms__*` in one transaction and emits the
`raw_cms` asset, on which the `transform` DAG is scheduled.

Reconcile (unpublished or trashed posts) with a manual run and
`{"full_refresh": true}`. See docs/sources/cms.md.
""",
)
