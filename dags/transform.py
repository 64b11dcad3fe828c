"""dbt build of staging, intermediate and marts, run by Cosmos (Airflow DAG).

One build a day, not one per event: it runs once every source that lands daily has
landed since the last build (an asset condition, AND over their raw assets; Email Lapor
lands hourly and Meta every six hours, so "any" would mean ~30 builds a day), and at the
daily deadline (TRANSFORM_DEADLINE_CRON, WIB) with whatever has landed, so a late source
delays nothing; a manual trigger builds on demand. One task runs `dbt build`
of the whole project through Cosmos' DbtBuildLocalOperator (the profile comes
from the `warehouse` connection; dbt runs in-process). A task per dbt node
(DbtTaskGroup) was measured first: every node re-parses the ~100-model project
(~13 s each here), which made one build take over half an hour; one build parses once.
`dbt_build` produces one asset per mart table (`warehouse://marts/<model>`, stable:
no host or port; Cosmos' own port-bearing per-node assets are switched off) and logs
what dbt built and tested (`dbt_summary` XCom: nodes per kind and status).
Before it, `provision_pseudonym_key` puts the secret key of the models' pseudonyms
(Airflow Variable `pseudonym_key`) into private.pseudonym_key (pipeline/pseudonym_key.py).
The large facts are incremental and heavy data tests check recent rows only
(docs/architecture.md, "Incremental models"); `transform_full_tests`, the same DAG with
dbt var `full_test_scope` true, runs weekly (Sunday 03:00 WIB, TRANSFORM_FULL_TESTS_CRON)
and tests every row. dbt's parse is kept between runs (partial_parse.msgpack in Cosmos'
cache, one folder per DAG).
The daily build builds what changed since its last good build (`plan_build`,
pipeline/build_scope.py): the sources whose loads changed rows, with everything downstream,
and the code dbt finds modified against that build's manifest (`state:modified+`); the
param `full_build` (and `make run --full-refresh`) builds everything. `transform_full_tests`
always builds everything.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import os
from pathlib import Path

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, Param, dag, task
from cosmos import ProfileConfig, settings as cosmos_settings
from cosmos.constants import InvocationMode
from cosmos.operators.local import DbtBuildLocalOperator
from cosmos.profiles import PostgresUserPasswordProfileMapping

from pipeline.assets import DAILY_RAW, MARTS, mart_assets
from pipeline.defaults import default_args
from pipeline.tasks import scope_interceptor, stage_build_state, summarize_dbt_build

WAREHOUSE_CONN_ID = "warehouse"
DBT_PROJECT_DIR = Path(os.environ.get("DBT_PROJECT_DIR", Path(__file__).resolve().parents[1] / "dbt_project"))


def build_transform(dag_id: str, schedule, full_test_scope: bool = False):
    """The transform DAG; `full_test_scope` makes its heavy data tests check every row (and builds everything)."""
    cache_dir = Path(cosmos_settings.cache_dir) / dag_id
    build_state = str(cache_dir / "build_state")
    scoped = not full_test_scope

    @dag(
        dag_id=dag_id,
        schedule=schedule,
        start_date=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
        catchup=False,
        max_active_runs=1,
        tags=["dbt", "marts"],
        default_args=default_args(retry_delay=dt.timedelta(minutes=2)),
        doc_md=__doc__,
        params={"full_build": Param(False, type="boolean", description="build everything, not only what changed")},
    )
    def transform():
        @task
        def provision_pseudonym_key() -> str:
            """The key of dbt's pseudonymise() into private.pseudonym_key (Variable `pseudonym_key`)."""
            from pipeline.pseudonym_key import provision_task
            from pipeline.tasks import project_logs_at_info

            project_logs_at_info()
            return provision_task(WAREHOUSE_CONN_ID)

        @task
        def plan_build(key_id: str, params=None) -> dict:
            """What this build builds: what changed since the last good build, or everything."""
            from pipeline.tasks import plan_build as plan

            return plan(
                WAREHOUSE_CONN_ID, build_state, key_id, full=not scoped or bool((params or {}).get("full_build"))
            )

        dbt_build = DbtBuildLocalOperator(
            task_id="dbt_build",
            project_dir=str(DBT_PROJECT_DIR),
            profile_config=ProfileConfig(
                profile_name="djpk",
                target_name="warehouse",
                profile_mapping=PostgresUserPasswordProfileMapping(
                    conn_id=WAREHOUSE_CONN_ID, profile_args={"schema": "analytics", "threads": 4}
                ),
            ),
            invocation_mode=InvocationMode.DBT_RUNNER,
            install_deps=False,
            vars={"full_test_scope": True} if full_test_scope else None,
            # partial_parse.msgpack kept between runs (Cosmos' cache, AIRFLOW__COSMOS__CACHE_DIR): a run
            # whose project did not change skips dbt's full parse
            cache_dir=cache_dir,
            # the plan's --select/--state, added when the task runs
            interceptors=[scope_interceptor],
            # Cosmos would emit an asset per node named after the server (postgres://127.0.0.1:<port>/...):
            # a new set whenever the port changes, each warned about as inactive. The stable ones are declared.
            emit_datasets=False,
            outlets=mart_assets(),
            callback=[summarize_dbt_build, stage_build_state],
            callback_args={"build_state": build_state},
        )

        @task(outlets=[MARTS])
        def check_marts() -> dict:
            from pipeline.tasks import check_marts as check

            return check(WAREHOUSE_CONN_ID, build_state)

        plan_build(provision_pseudonym_key()) >> dbt_build >> check_marts()

    return transform()


transform = build_transform(
    "transform",
    AssetOrTimeSchedule(
        assets=functools.reduce(operator.and_, DAILY_RAW),
        timetable=CronTriggerTimetable(os.environ.get("TRANSFORM_DEADLINE_CRON", "0 9 * * *"), timezone="Asia/Jakarta"),
    ),
)
transform_full_tests = build_transform(
    "transform_full_tests",
    CronTriggerTimetable(os.environ.get("TRANSFORM_FULL_TESTS_CRON", "0 3 * * 0"), timezone="Asia/Jakarta"),
    full_test_scope=True,
)
