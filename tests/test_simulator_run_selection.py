"""``simulators.run`` starts only the stand-ins its command needs.

A backfill or a single DAG of one source gets that source's stand-in alone; the
transform and report DAGs none; ``pipeline run`` (``make run``), ``pipeline airflow``
and any other command every one whose connection is not configured.
"""

from __future__ import annotations

import types

import pytest

from pipeline.__main__ import connections_needed as pipeline_needs
from simulators import run
from simulators.registry import RunningStandIn, discover

PY = ".venv/bin/python"


@pytest.fixture
def fake_stand_ins(monkeypatch):
    """Every registered stand-in, started as a fake that only records its name."""
    started: list[str] = []

    def fake(mod):
        name = mod.__name__.split(".")[1]

        def start(seed, workdir):
            started.append(name)
            return RunningStandIn(name, {k: f"fake-{name}" for k in mod.CONN_ENVS}, lambda: None)

        return types.SimpleNamespace(__name__=mod.__name__, CONN_ENVS=mod.CONN_ENVS, start=start)

    mods = [fake(m) for m in discover()]
    monkeypatch.setattr("simulators.registry.discover", lambda: mods)
    for m in mods:
        for k in m.CONN_ENVS:
            monkeypatch.delenv(k, raising=False)
    return started


def started_for(command: list[str], tmp_path, started: list[str]) -> list[str]:
    started.clear()
    with run.stand_ins(2023, tmp_path, needed=run.connections_needed(command)):
        pass
    return list(started)


ALL = sorted(m.__name__.split(".")[1] for m in discover())


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ([PY, "-m", "pipeline", "dag", "deskpro"], ["deskpro"]),
        ([PY, "-m", "pipeline", "dag", "deskpro", "--full-refresh"], ["deskpro"]),
        ([PY, "-m", "pipeline", "backfill", "whatsapp", "2023-12-01", "2023-12-31"], ["whatsapp"]),
        ([PY, "-m", "pipeline", "backfill", "email_lapor", "2023-12-01", "2023-12-02", "--transform"], ["email_lapor"]),
        ([PY, "-m", "pipeline", "dag", "meta"], ["meta"]),
        ([PY, "-m", "pipeline", "dag", "transform"], []),
        ([PY, "-m", "pipeline", "dag", "monthly_report"], []),
        ([PY, "-m", "pipeline", "dbt", "build"], []),
        ([PY, "-m", "extractors", "run", "avaya", "--since", "2023-12-01"], ["avaya"]),
        ([PY, "-m", "pipeline", "run"], ALL),
        ([PY, "-m", "pipeline", "run", "--month", "2023-11"], ALL),
        ([PY, "-m", "pipeline", "airflow"], ALL),
        ([PY, "-m", "pytest", "tests"], ALL),
        ([PY, "-m", "pipeline", "no-such-command"], ALL),
    ],
    ids=lambda v: " ".join(v[2:]) if isinstance(v, list) and v and v[0] == PY else None,
)
def test_only_the_stand_ins_the_command_needs_start(command, expected, fake_stand_ins, tmp_path):
    assert started_for(command, tmp_path, fake_stand_ins) == expected


def test_every_source_dag_names_a_connection_that_a_stand_in_provides():
    from extractors.registry import NAMES

    provided = {k for m in discover() for k in m.CONN_ENVS}
    for name in NAMES:
        (conn,) = pipeline_needs(["dag", name])
        assert conn in provided, name


def test_a_configured_connection_still_wins(fake_stand_ins, tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_DESKPRO_API", "http://real")
    assert started_for([PY, "-m", "pipeline", "dag", "deskpro"], tmp_path, fake_stand_ins) == []


def test_the_command_gets_the_needed_stand_in_s_connection_only(fake_stand_ins, tmp_path):
    with run.stand_ins(2023, tmp_path, needed=run.connections_needed([PY, "-m", "pipeline", "dag", "x"])) as env:
        assert env == {"AIRFLOW_CONN_X_API": "fake-x"}
