"""dbt build of staging, intermediate and marts, run by Cosmos (Airflow DAG).

Scheduled on the raw assets of the sources, not on a guessed cron: whenever a
source DAG loads, the models are rebuilt and tested. Cosmos renders one task per
dbt node from the manifest that `python -m pipeline dbt-parse` writes (no dbt
command and no connection at parse time).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import os
from pathlib import Path

from airflow.sdk import dag, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior
from cosmos.profiles import PostgresUserPasswordProfileMapping

from pipeline.defaults import default_args
from pipeline.assets import MARTS, RAW_SOURCES

WAREHOUSE_CONN_ID = "warehouse"
DBT_PROJECT_DIR = Path(os.environ.get("DBT_PROJECT_DIR", Path(__file__).resolve().parents[1] / "dbt_project"))


@dag(
    dag_id="transform",
    schedule=functools.reduce(operator.or_, RAW_SOURCES),
    start_date=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["dbt", "marts"],
    default_args=default_args(retry_delay=dt.timedelta(minutes=2)),
    doc_md=__doc__,
)
def transform():
    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(
            dbt_project_path=DBT_PROJECT_DIR,
            manifest_path=DBT_PROJECT_DIR / "target" / "manifest.json",
        ),
        profile_config=ProfileConfig(
            profile_name="djpk",
            target_name="warehouse",
            profile_mapping=PostgresUserPasswordProfileMapping(
                conn_id=WAREHOUSE_CONN_ID, profile_args={"schema": "analytics"}
            ),
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.LOCAL, invocation_mode=InvocationMode.DBT_RUNNER
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.BUILD,
            # a relationships test needs both of its models: run it after both, not inside one
            should_detach_multiple_parents_tests=True,
            emit_datasets=False,
        ),
        operator_args={"install_deps": False},
    )

    @task(outlets=[MARTS])
    def check_marts() -> dict:
        from pipeline.tasks import check_marts as check

        return check(WAREHOUSE_CONN_ID)

    dbt >> check_marts()


transform()
