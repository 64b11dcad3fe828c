"""The meta and x DAGs: wiring, schedules, assets, and the stand-ins they plug into."""

from __future__ import annotations

from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1] / "dags"


@pytest.fixture(scope="module")
def dagbag(dbt_manifest):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.mark.parametrize("dag_id, asset_name", [("meta", "raw_meta"), ("x", "raw_x")])
def test_extract_then_load_emitting_the_raw_asset(dagbag, dag_id, asset_name):
    from pipeline.assets import RAW

    dag = dagbag.dags[dag_id]
    assert "source" in dag.tags and set(dag.task_ids) == {"extract", "load"}
    assert dag.get_task("load").upstream_task_ids == {"extract"}
    asset = RAW[dag_id]
    assert asset in dag.get_task("load").outlets
    assert dag.params["full_refresh"] is False
    transform = dagbag.dags["transform"]
    assert asset_name in repr(transform.timetable.asset_condition)


def test_captures_are_never_more_than_a_day_apart(dagbag):
    import datetime as dt

    from croniter import croniter

    assert dagbag.dags["meta"].schedule == "20 */6 * * *"  # stories live 24 h: four captures a day
    assert dagbag.dags["x"].schedule == "@daily"
    for dag_id, cron in (("meta", "20 */6 * * *"), ("x", "0 0 * * *")):
        it = croniter(cron, dt.datetime(2023, 12, 30, tzinfo=dt.UTC))
        runs = [it.get_next(dt.datetime) for _ in range(10)]
        assert max(b - a for a, b in zip(runs, runs[1:], strict=False)) <= dt.timedelta(days=1), dag_id


def test_the_stand_ins_register_and_hand_out_connections_without_the_token_in_info(tmp_path):
    import json

    from simulators.registry import discover

    mods = {m.__name__.split(".")[1]: m for m in discover()}
    for name, conn_env in (("meta", "AIRFLOW_CONN_META_GRAPH_API"), ("x", "AIRFLOW_CONN_X_API")):
        assert mods[name].CONN_ENVS == [conn_env]
        running = mods[name].start(2023, tmp_path / name)
        try:
            conn = json.loads(running.env[conn_env])
            assert conn["password"] and conn["password"] not in json.dumps(running.info)
            assert conn["extra"]["base_url"].startswith("http://127.0.0.1:")
            assert conn["extra"]["simulated_clock"]["replay_from"] == "2022-12-01"
        finally:
            running.stop()
    assert list((tmp_path / "x" / "analytics").glob("*.csv"))
