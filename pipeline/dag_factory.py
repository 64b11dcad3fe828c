"""One factory for every source DAG: ``extract`` -> ``load``, built from the source's declaration.

Same ids, schedules, assets, retries and alerts for every source; the task bodies
are ``extractors.runner.extract_task`` / ``load_task`` (nothing heavy at parse time).
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, Param, dag, task

from extractors.common.source import Source
from pipeline.defaults import LOAD_PARAMS, default_args

WAREHOUSE_CONN_ID = "warehouse"
START_DATE = dt.datetime(2022, 12, 1, tzinfo=dt.UTC)


def raw_asset(source_name: str) -> Asset:
    """What a source DAG produces; ``transform`` is scheduled on these."""
    return Asset(name=f"raw_{source_name}", uri=f"warehouse://raw/{source_name}")


def source_dag(source: Source):
    @dag(
        dag_id=source.name,
        schedule=source.schedule,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        tags=list(source.tags),
        default_args=default_args(retry_delay=dt.timedelta(minutes=source.retry_delay_minutes)),
        params={
            **LOAD_PARAMS,
            "full_refresh": Param(False, type="boolean", description=source.full_refresh_help),
        },
        doc_md=source.description,
    )
    def source_pipeline():
        @task
        def extract(data_interval_start=None, data_interval_end=None, params=None) -> str:
            from extractors.runner import extract_task

            return extract_task(
                source.name, WAREHOUSE_CONN_ID, data_interval_start, data_interval_end, params["full_refresh"]
            )

        @task(outlets=[raw_asset(source.name)])
        def load(manifest: str, params=None) -> dict:
            from extractors.runner import load_task

            return load_task(source.name, WAREHOUSE_CONN_ID, manifest, params.get("force_deletions", False))

        load(extract())

    return source_pipeline()
