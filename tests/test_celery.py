"""`make airflow EXECUTOR=celery`: Airflow's CeleryExecutor with Debian's redis-server and two workers.

The fast tests check the generated settings and command lines without starting anything; the slow
one starts `python -m pipeline airflow --executor celery` with the stand-ins, runs a source DAG and
`transform` on the workers, and stops it all.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers import stop_and_list_leftovers
from tests.test_operations import _free_port, _mode

# With test_operations (a whole Airflow too) in the pipeline unit of pytest-xdist (tests/conftest.py)
XDIST_UNIT = "pipeline"


@pytest.fixture()
def celery_settings(tmp_path, monkeypatch):
    """``pipeline.settings.configure(..., executor="celery")`` for a warehouse that is never contacted."""
    from pipeline import settings
    from warehouse.config import Warehouse

    monkeypatch.setenv("DJPK_LOCAL_DIR", str(tmp_path / "local"))
    monkeypatch.delenv("REDIS_PORT", raising=False)
    url = "postgresql://u:never-contacted@127.0.0.1:5999/"
    wh = Warehouse(url=url + "warehouse", airflow_url=url + "airflow")
    before = dict(os.environ)
    env = settings.configure(wh, executor="celery")
    yield env
    os.environ.clear()
    os.environ.update(before)


def test_celery_settings_use_a_local_redis_with_a_private_password(celery_settings, tmp_path):
    from pipeline.settings import redis_password_file

    env = celery_settings
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "2"
    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port, broker.path) == (
        "redis",
        "127.0.0.1",
        int(env["REDIS_PORT"]),
        "/0",
    )
    password = redis_password_file().read_text().strip()
    assert broker.password == password and len(password) >= 32
    assert redis_password_file() == tmp_path / "local" / "secrets" / "redis_password"
    assert _mode(redis_password_file()) == 0o600 and _mode(redis_password_file().parent) == 0o700
    # the results go to Airflow's metadata database, as in docker-compose.yml
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+postgresql+psycopg2://u:never-contacted@127.0.0.1:5999/airflow"
    # kept: a second start reads the same password
    from pipeline import settings

    assert settings.redis_password() == password


def test_the_default_executor_is_airflows_local_one(tmp_path, monkeypatch):
    from pipeline import settings
    from warehouse.config import Warehouse

    monkeypatch.setenv("DJPK_LOCAL_DIR", str(tmp_path / "local"))
    url = "postgresql://u:never-contacted@127.0.0.1:5999/"
    before = dict(os.environ)
    try:
        env = settings.configure(Warehouse(url=url + "warehouse", airflow_url=url + "airflow"))
    finally:
        os.environ.clear()
        os.environ.update(before)
    assert not any(k.startswith("AIRFLOW__CELERY__") for k in env) and "AIRFLOW__CORE__EXECUTOR" not in env
    assert not (tmp_path / "local" / "secrets" / "redis_password").exists()
    with pytest.raises(ValueError):
        settings.configure(Warehouse(url=url + "warehouse", airflow_url=url + "airflow"), executor="kubernetes")


def test_celery_components_redis_first_then_two_workers_without_log_servers(celery_settings):
    from pipeline.__main__ import airflow_components, redis_config_file, write_redis_config
    from pipeline.settings import redis_password

    components = airflow_components("celery")
    assert list(components)[0] == "redis"  # started first, waited for until it answers PING
    assert set(components) == set(airflow_components()) | {"redis", "worker1", "worker2"}
    redis = components["redis"]
    assert redis[redis.index("--bind") + 1] == "127.0.0.1"
    assert redis[redis.index("--port") + 1] == celery_settings["REDIS_PORT"]
    assert redis[redis.index("--save") + 1] == "" and redis[redis.index("--appendonly") + 1] == "no"
    for n in (1, 2):
        worker = components[f"worker{n}"]
        assert worker[1:3] == ["celery", "worker"]
        assert worker[worker.index("--celery-hostname") + 1] == f"worker{n}@%h"
        assert worker[worker.index("--concurrency") + 1] == "2"
        assert "--skip-serve-logs" in worker  # pipeline.log_server serves the logs on 127.0.0.1
    # the password is on no command line, only in the 0600 config file
    password = redis_password()
    assert not any(password in arg for cmd in components.values() for arg in cmd)
    assert str(redis_config_file()) in redis
    conf = write_redis_config()
    assert f'requirepass "{password}"' in conf.read_text()
    assert _mode(conf) == 0o600 and _mode(conf.parent) == 0o700


# ---------------------------------------------------------------- the real thing


class Api:
    """Airflow's REST API as admin (simple auth manager's generated password)."""

    def __init__(self, port: int, passwords_file: Path):
        self.base = f"http://127.0.0.1:{port}"
        password = json.loads(passwords_file.read_text())["admin"]
        token = self._call("POST", "/auth/token", {"username": "admin", "password": password}, auth=False)
        self.token = token["access_token"]

    def _call(self, method: str, path: str, body=None, auth: bool = True):
        req = urllib.request.Request(self.base + path, method=method)
        req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", f"Bearer {self.token}")
        data = json.dumps(body).encode() if body is not None else None
        with urllib.request.urlopen(req, data=data, timeout=60) as r:
            return json.loads(r.read() or b"null")

    def get(self, path: str):
        return self._call("GET", path)

    def patch(self, path: str, body):
        return self._call("PATCH", path, body)

    def post(self, path: str, body):
        return self._call("POST", path, body)


def _wait(what: str, fn, timeout: float, proc: subprocess.Popen, every: float = 3):
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, f"pipeline airflow exited while waiting for {what}: " + proc.stdout.read()[-3000:]
        try:
            value = fn()
        except OSError:
            value = None
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("redis-server") is None,
    reason="needs Debian's redis-server (make airflow EXECUTOR=celery installs it as root)",
)
def test_make_airflow_with_celery_runs_dags_on_the_workers_and_stops_everything(tmp_path):
    import psutil
    import psycopg

    from tests.conftest import PipelineEnv

    setup = PipelineEnv(tmp_path)  # its own warehouse, Airflow home and secrets
    port, log_port = _free_port(), _free_port()
    env = dict(
        setup.env,
        AIRFLOW_PORT=str(port),
        AIRFLOW_LOG_PORT=str(log_port),
        # only the DAGs this test unpauses run: no scheduled run of every source on the 2 shared cores
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
    )
    # as `make airflow EXECUTOR=celery` does: the stand-ins around it
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators.run",
            "--",
            sys.executable,
            "-m",
            "pipeline",
            "airflow",
            "--executor",
            "celery",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    redis_port = None
    started: dict[int, psutil.Process] = {}  # Process objects: is_running() also checks the start time
    local = tmp_path / "local"
    components = local / "airflow" / "components"

    def tree() -> list[psutil.Process]:
        procs = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        started.update({p.pid: p for p in procs if p.pid not in started})
        return procs

    def listening() -> dict[int, str]:
        ports = {}
        for p in tree():
            try:
                for c in p.net_connections(kind="inet"):
                    if c.status == psutil.CONN_LISTEN:
                        ports[c.laddr.port] = c.laddr.ip
            except psutil.NoSuchProcess:
                pass
        return ports

    try:
        _wait("the API and log servers", lambda: {port, log_port} <= set(listening()), 420, proc)
        _wait(
            "the API's health",
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=30).status == 200,
            120,
            proc,
        )
        api = Api(port, local / "airflow" / "simple_auth_manager_passwords.json.generated")

        runs = {}
        for dag_id in ("deskpro", "transform"):
            _wait(f"DAG {dag_id} parsed", lambda d=dag_id: api.get(f"/api/v2/dags/{d}"), 240, proc, every=5)
        for dag_id in ("deskpro", "transform"):
            api.patch(f"/api/v2/dags/{dag_id}", {"is_paused": False})
            if dag_id == "transform":  # after the source landed, as its asset schedule would
                state = _wait(
                    "deskpro to finish", lambda: _run_state(api, "deskpro", runs["deskpro"]), 300, proc, every=5
                )
                assert state == "success", _task_states(api, "deskpro", runs["deskpro"])
            run = api.post(f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": {}})
            runs[dag_id] = run["dag_run_id"]
        state = _wait(
            "transform to finish", lambda: _run_state(api, "transform", runs["transform"]), 420, proc, every=5
        )
        assert state == "success", _task_states(api, "transform", runs["transform"])

        # Redis and the workers listen on 127.0.0.1 only (the workers on nothing: no log server of their own)
        ports = listening()
        assert set(ports.values()) == {"127.0.0.1"}, ports
        by_name = {}
        for p in tree():
            try:
                cmd = p.cmdline()
            except psutil.NoSuchProcess:
                continue
            if p.name() == "redis-server":  # it rewrites its title: "redis-server 127.0.0.1:<port>"
                by_name["redis"] = p
            elif "celery" in cmd and "worker" in cmd:
                by_name.setdefault(cmd[cmd.index("--celery-hostname") + 1].split("@")[0], p)
        assert {"redis", "worker1", "worker2"} <= set(by_name), by_name
        redis_ports = [c.laddr for c in by_name["redis"].net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
        assert [a.ip for a in redis_ports] == ["127.0.0.1"], redis_ports
        redis_port = redis_ports[0].port
        for name in ("worker1", "worker2"):
            worker_tree = [by_name[name], *by_name[name].children(recursive=True)]
            for p in worker_tree:
                with_listen = [c for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
                assert with_listen == [], (name, with_listen)

        # every task of both runs went through Celery: the scheduler gave each a Celery task id
        # (external_executor_id; the LocalExecutor gives none) and the result backend (Airflow's database)
        # holds each one's success, reported by a worker
        airflow_db = urlsplit(setup.warehouse_url)._replace(path="/airflow").geturl()
        with psycopg.connect(airflow_db) as conn:
            tis = conn.execute(
                "select dag_id, task_id, state, external_executor_id from task_instance "
                "where (dag_id, run_id) in (('deskpro', %s), ('transform', %s))",
                (runs["deskpro"], runs["transform"]),
            ).fetchall()
            assert tis and all(state == "success" and celery_id for _, _, state, celery_id in tis), tis
            celery_ids = {celery_id for *_, celery_id in tis}

            def results_stored():  # a worker stores the result just after the task reported its state
                rows = conn.execute(
                    "select task_id from celery_taskmeta where status = 'SUCCESS' and task_id = any(%s)",
                    (list(celery_ids),),
                ).fetchall()
                conn.commit()
                return {r[0] for r in rows} == celery_ids

            _wait("the workers' results in celery_taskmeta", results_stored, 60, proc, every=1)

        # the marts were built from what the source loaded (transform's check_marts checked them too)
        assert setup.query("select count(*) from marts.fct_consultations")[0][0] > 0
        assert setup.query("select count(*) from marts.mart_monthly_channel_volume where tickets > 0")[0][0] > 0
    finally:
        try:
            tree()  # every process started so far, to check afterwards that none is left
        except psutil.NoSuchProcess:
            pass

        def ctrl_c():  # Ctrl-C in a terminal: simulators.run and the pipeline
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)

        leftovers = stop_and_list_leftovers(proc, started, setup, ctrl_c, timeout=180)
    assert leftovers == []
    worker_logs = [(components / f"worker{n}.log").read_text(errors="replace") for n in (1, 2)]
    assert all("Warm shutdown" in log for log in worker_logs), [log[-1500:] for log in worker_logs]
    with socket.socket() as s:  # the broker's port is free again
        s.bind(("127.0.0.1", redis_port))


def _run_state(api: Api, dag_id: str, run_id: str) -> str | None:
    state = api.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")["state"]
    return state if state in ("success", "failed") else None


def _task_states(api: Api, dag_id: str, run_id: str) -> list:
    tis = api.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
    return [(t["task_id"], t["state"], t.get("hostname")) for t in tis]
