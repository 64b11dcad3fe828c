"""Operating the pipeline: what `make run` prints, what `make airflow` binds, the warehouse's port.

The fast tests check the generated settings without starting Airflow; the slow ones
read the output of the session's one whole `pipeline run` (conftest's ``pipeline_env``)
or start real servers.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import stop_and_list_leftovers

ROOT = Path(__file__).resolve().parents[1]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- Airflow's settings (no server started)


@pytest.fixture()
def airflow_settings(tmp_path, monkeypatch):
    """``pipeline.settings.configure`` for a warehouse that is never contacted, with AIRFLOW_PORT=18080."""
    from pipeline import settings
    from warehouse.config import Warehouse

    monkeypatch.setenv("DJPK_LOCAL_DIR", str(tmp_path / "local"))
    monkeypatch.setenv("AIRFLOW_PORT", "18080")
    monkeypatch.delenv("AIRFLOW_LOG_PORT", raising=False)
    home = tmp_path / "local" / "airflow"
    home.mkdir(parents=True)
    (home / "airflow.cfg").write_text("[core]\n")  # as Airflow may leave it, readable by all
    (home / "airflow.cfg").chmod(0o644)
    url = "postgresql://u:never-contacted@127.0.0.1:5999/"
    wh = Warehouse(url=url + "warehouse", airflow_url=url + "airflow")
    before = dict(os.environ)
    env = settings.configure(wh)
    yield env
    os.environ.clear()
    os.environ.update(before)


def test_every_airflow_server_binds_loopback_and_follows_the_port(airflow_settings):
    import importlib

    from pipeline.__main__ import airflow_components

    env = airflow_settings
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1" and env["AIRFLOW__API__PORT"] == "18080"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18080/execution/"
    assert env["AIRFLOW__API__BASE_URL"] == "http://127.0.0.1:18080"
    assert env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] == env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] == "8793"
    # task instances record 127.0.0.1 as their host: the UI fetches running logs where the log server listens
    module, _, name = env["AIRFLOW__CORE__HOSTNAME_CALLABLE"].rpartition(".")
    assert getattr(importlib.import_module(module), name)() == "127.0.0.1"
    assert env["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "False"

    components = airflow_components()
    assert set(components) == {"api-server", "scheduler", "dag-processor", "triggerer", "log-server"}
    api = components["api-server"]
    assert api[api.index("--host") + 1] == "127.0.0.1" and api[api.index("--port") + 1] == "18080"
    # Airflow's own log servers bind every interface: the components skip them; ours binds 127.0.0.1
    assert "--skip-serve-logs" in components["scheduler"] and "--skip-serve-logs" in components["triggerer"]
    assert not any("standalone" in cmd for cmd in components.values())


def test_airflow_secrets_are_private(airflow_settings):
    home = Path(airflow_settings["AIRFLOW_HOME"])
    passwords = Path(airflow_settings["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    assert passwords.parent == home and passwords.exists()  # created before Airflow writes the password into it
    assert _mode(passwords) == 0o600
    assert _mode(home / "airflow.cfg") == 0o600
    assert _mode(home) == 0o700


def test_the_log_server_listens_on_loopback_only(tmp_path):
    import psutil

    port = _free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(port),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(tmp_path / "logs"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.log_server"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        listening = []
        while time.monotonic() < deadline and not listening:
            assert proc.poll() is None, proc.stderr.read()[-2000:]
            listening = [c for c in psutil.Process(proc.pid).net_connections() if c.status == psutil.CONN_LISTEN]
            time.sleep(0.5)
        assert [(c.laddr.ip, c.laddr.port) for c in listening] == [("127.0.0.1", port)]
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)


# ---------------------------------------------------------------- the warehouse keeps its port


def test_the_warehouse_keeps_its_port_across_restarts_and_crashes(tmp_path, monkeypatch):
    import psutil

    from warehouse import embedded
    from warehouse.embedded import PORT_RANGE, EmbeddedPostgres

    pg = EmbeddedPostgres(tmp_path / "wh", fsync=False)
    try:
        port = pg.start().port
        assert PORT_RANGE[0] <= port < PORT_RANGE[1]  # below the ephemeral range outgoing connections borrow from
        assert json.loads(pg.state_file.read_text())["port"] == port
        assert int(pg.port_file.read_text()) == port  # beside the data folder
        pg.stop()
        assert pg.start().port == port

        # a crash: the postmaster is killed, its pid file stays behind
        pid = int((pg.data_dir / "postmaster.pid").read_text().split()[0])
        psutil.Process(pid).kill()
        psutil.Process(pid).wait(timeout=30)
        time.sleep(0.5)
        assert pg.start().port == port
        assert embedded.wait_for(pg.info().url("postgres")) is None

        # another program holds the port for good: the warehouse moves once and remembers where
        pg.stop()
        monkeypatch.setattr(embedded, "PORT_WAIT_SECONDS", 0.5)
        with socket.socket() as squatter:
            # as a server binds (PostgreSQL too): the stopped warehouse's connections in TIME_WAIT
            # do not hold the port, a listening socket does
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind(("127.0.0.1", port))
            squatter.listen()
            moved = pg.start().port
        assert moved != port and json.loads(pg.state_file.read_text())["port"] == moved
        assert int(pg.port_file.read_text()) == moved
        pg.stop()
        assert pg.start().port == moved
    finally:
        pg.destroy()


def test_a_new_cluster_gets_the_same_port_for_the_same_path():
    from warehouse.embedded import preferred_port

    assert preferred_port("/srv/a/.local/warehouse", taken=lambda p: False) == preferred_port(
        "/srv/a/.local/warehouse", taken=lambda p: False
    )
    first = preferred_port("/srv/a/.local/warehouse", taken=lambda p: False)
    assert preferred_port("/srv/a/.local/warehouse", taken=lambda p: p == first) == first + 1


# ---------------------------------------------------------------- what `make run` prints


def test_the_summary_helpers():
    from pipeline.console import dbt_counts, load_totals, source_table

    t = load_totals(
        {
            "streams": {
                "tickets": {"copied": 10, "inserted": 4, "updated": 1, "quarantined": 2, "deleted": 1},
                "people": {"copied": 5, "inserted": 5, "updated": 0, "quarantined": 0, "deleted": 0},
            }
        }
    )
    assert t == {"streams": 2, "rows": 15, "inserted": 9, "updated": 1, "rejected": 2, "deleted": 1}
    assert load_totals(None)["rows"] == 0
    nodes = {"model": {"success": 113}, "test": {"pass": 670}, "seed": {"success": 25}}
    assert dbt_counts({"nodes": nodes}) == "113 models, 670 tests, 25 seeds (all passed)"
    assert "1 fail" in dbt_counts({"nodes": {"test": {"pass": 3, "fail": 1}}})
    table = source_table({"deskpro": t})
    assert table[1].split() == ["deskpro", "15", "9", "1", "2", "1"] and table[-1].split()[0] == "total"


def test_the_dbt_summary_is_read_from_run_results(tmp_path):
    from pipeline.tasks import summarize_dbt_build

    (tmp_path / "target").mkdir()
    results = [
        {"unique_id": "model.djpk.fct_consultations", "status": "success"},
        {"unique_id": "test.djpk.not_null_x", "status": "pass"},
        {"unique_id": "test.djpk.unique_x", "status": "warn"},
        {"unique_id": "seed.djpk.channels", "status": "success"},
    ]
    (tmp_path / "target" / "run_results.json").write_text(json.dumps({"results": results, "elapsed_time": 12.34}))
    pushed = {}

    class TI:
        def xcom_push(self, key, value):
            pushed[key] = value

    summary = summarize_dbt_build(str(tmp_path), context={"ti": TI()})
    assert summary == {
        "nodes": {"model": {"success": 1}, "test": {"pass": 1, "warn": 1}, "seed": {"success": 1}},
        "elapsed": 12.3,
    }
    assert pushed == {"dbt_summary": summary}


@pytest.mark.slow
def test_make_run_prints_a_line_per_step_and_a_summary(pipeline_env):
    res = pipeline_env.first_run
    out = res.stdout + res.stderr
    lines = out.splitlines()
    assert len(lines) <= 60, out
    from extractors.registry import NAMES

    for name in NAMES:  # one progress line per source, with rows, rejects and seconds
        assert any(
            re.match(rf"  {name} +(\d+ min )?[0-9.]+ s +[0-9,]+ rows in \d+ streams, [0-9,]+ rejected", line)
            for line in lines
        )
    assert any(line.split()[:1] == ["transform"] and "models" in line and "tests" in line for line in lines), out
    assert any(line.split()[:2] == ["source", "rows"] for line in lines)  # the summary table
    assert any(line.startswith("rejected records: ") and "marts.mart_rejected_records" in line for line in lines)
    assert any(line.startswith("dbt: ") for line in lines) and any(line.startswith("total time: ") for line in lines)
    # no task-log noise on the terminal: rejections are counts, Cosmos' per-node assets are gone
    for noise in ("[error", "[warning", "AssetModel", "Traceback"):
        assert noise not in res.stdout, noise
    log_line = next(line for line in lines if line.startswith("log: "))
    log_file = Path(log_line.removeprefix("log: "))
    assert _mode(log_file) == 0o600
    text = log_file.read_text()
    assert "AssetModel" not in text  # no asset named after the warehouse's port, hence no "inactive" warnings
    assert "deskpro.tickets" in text  # the task logs' per-stream INFO lines are in the full log


@pytest.mark.slow
def test_make_airflow_listens_on_loopback_only_and_ctrl_c_stops_everything(tmp_path):
    """`python -m pipeline airflow` with AIRFLOW_PORT set: every socket of every process it started is on
    127.0.0.1, the API server on that port; SIGINT (Ctrl-C) leaves no process behind."""
    import psutil

    from tests.conftest import PipelineEnv

    setup = PipelineEnv(tmp_path)  # its own warehouse and Airflow home; no pipeline run needed
    port, log_port = _free_port(), _free_port()
    env = dict(setup.env, AIRFLOW_PORT=str(port), AIRFLOW_LOG_PORT=str(log_port))
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "airflow"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    started: dict[int, psutil.Process] = {}  # Process objects: is_running() also checks the start time
    try:
        deadline = time.monotonic() + 300
        ports: dict[int, str] = {}
        while time.monotonic() < deadline and not {port, log_port} <= set(ports):
            assert proc.poll() is None, proc.stdout.read()[-3000:]
            tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            started.update({p.pid: p for p in tree if p.pid not in started})
            ports = {}
            for p in tree:
                try:
                    for c in p.net_connections(kind="inet"):
                        if c.status == psutil.CONN_LISTEN:
                            ports[c.laddr.port] = c.laddr.ip
                except psutil.NoSuchProcess:
                    pass
            time.sleep(2)
        assert {port, log_port} <= set(ports), ports
        assert set(ports.values()) == {"127.0.0.1"}, ports  # the warehouse is not a child: started before
        # the API server answers on the chosen port (its first answers can be slow on a busy machine)
        import urllib.request

        for attempt in range(6):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=30) as r:
                    assert r.status == 200
                    break
            except OSError:
                if attempt == 5:
                    raise
                time.sleep(5)
    finally:
        leftovers = stop_and_list_leftovers(proc, started, setup, lambda: os.kill(proc.pid, signal.SIGINT), 120)
    assert leftovers == []
