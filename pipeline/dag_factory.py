"""One factory for every source DAG: ``extract`` -> ``load``, built from the source's declaration.

Same ids, schedules, assets, retries and alerts for every source; the task bodies
are ``extractors.runner.extract_task`` / ``load_task`` (nothing heavy at parse time).
"""

from __future__ import annotations

import datetime as dt
import re

from airflow.sdk import Asset, Param, dag, task

from extractors.common.source import Source
from pipeline.defaults import LOAD_PARAMS, OWNER, default_args

WAREHOUSE_CONN_ID = "warehouse"
START_DATE = dt.datetime(2022, 12, 1, tzinfo=dt.UTC)


def raw_asset(source_name: str) -> Asset:
    """What a source DAG produces; ``transform`` is scheduled on these."""
    return Asset(name=f"raw_{source_name}", uri=f"warehouse://raw/{source_name}")


def warehouse_asset(schema: str, table: str) -> Asset:
    """A warehouse table as an asset: stable ``warehouse://<schema>/<table>``, never host or port."""
    return Asset(name=f"{schema}.{table}", uri=f"warehouse://{schema}/{table}")


def raw_tables(source: Source) -> list[Asset]:
    """The raw tables a source's ``load`` writes, one asset each (``warehouse://raw/<source>__<stream>``)."""
    return [warehouse_asset("raw", f"{source.name}__{s.name}") for s in source.streams]


def is_daily(schedule: str) -> bool:
    """``@daily`` or a cron expression that fires once a day (``M H * * *``)."""
    return schedule == "@daily" or re.fullmatch(r"\d+ \d+ \* \* \*", schedule) is not None


def lands_every_day(schedule: str) -> bool:
    """The schedule fires at least once on every day (``@hourly``, ``20 */6 * * *``, ``@daily``; not weekly)."""
    import datetime as dt

    from croniter import croniter

    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    it = croniter(schedule, start - dt.timedelta(seconds=1))
    days = set()
    while (at := it.get_next(dt.datetime)) < start + dt.timedelta(days=14):
        days.add(at.date())
    return len(days) >= 14


def landing_deadline(source: Source):
    """A daily source must have landed ``DJPK_LANDED_WITHIN_HOURS`` (default 3) after its run's
    logical time, else the alert webhook hears of it (``pipeline.alerts.deadline_missed``)."""
    if not is_daily(source.schedule):
        return None
    from pipeline.alerts import LANDED_WITHIN_HOURS, deadline

    return deadline(
        LANDED_WITHIN_HOURS,
        f"{source.name} has not landed within {LANDED_WITHIN_HOURS:g} h of its daily run's time",
    )


def source_doc_md(source: Source) -> str:
    """The DAG's documentation: the source's description, then its streams (table, key, cursor, mode)."""
    rows = "\n".join(
        f"| `raw.{source.name}__{s.name}` | {', '.join(s.primary_key)} | {s.cursor or '-'} | {s.mode} |"
        for s in source.streams
    )
    return (
        f"{source.description.strip()}\n\n"
        f"**Connection** `{source.conn_id}` · **owner** {OWNER} · details in `docs/sources/{source.name}.md`\n\n"
        f"| raw table | key | cursor | mode |\n| --- | --- | --- | --- |\n{rows}\n"
    )


def source_dag(source: Source):
    @dag(
        dag_id=source.name,
        schedule=source.schedule,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        tags=list(dict.fromkeys([*source.tags, "source", "djpk"])),
        default_args=default_args(retry_delay=dt.timedelta(minutes=source.retry_delay_minutes)),
        params={
            **LOAD_PARAMS,
            "full_refresh": Param(False, type="boolean", description=source.full_refresh_help),
        },
        doc_md=source_doc_md(source),
        deadline=landing_deadline(source),
    )
    def source_pipeline():
        @task
        def extract(data_interval_start=None, data_interval_end=None, params=None) -> str:
            from extractors.runner import extract_task
            from pipeline.tasks import project_logs_at_info

            project_logs_at_info()
            return extract_task(
                source.name, WAREHOUSE_CONN_ID, data_interval_start, data_interval_end, params["full_refresh"]
            )

        @task(outlets=[raw_asset(source.name), *raw_tables(source)])
        def load(manifest: str, params=None) -> dict:
            from extractors.runner import load_task
            from pipeline.tasks import project_logs_at_info

            project_logs_at_info()
            return load_task(source.name, WAREHOUSE_CONN_ID, manifest, params.get("force_deletions", False))

        load(extract())

    return source_pipeline()
