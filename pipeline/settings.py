"""The environment every process of a local run shares.

One place turns "where is the warehouse, where are the sources" into the
variables Airflow, dbt and our own code read: Airflow connections as
``AIRFLOW_CONN_*`` (credentials go nowhere else), dbt's profile variables (the
password as ``DBT_ENV_SECRET_*`` so dbt scrubs it from logs), Airflow's home and
metadata database. Nothing here is ever printed with its secrets.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from warehouse.config import Warehouse, local_dir, project_root


def bin_path(name: str) -> str:
    """A console script of this interpreter's environment (dbt, airflow)."""
    return str(Path(sys.executable).parent / name)


LOOPBACK = "127.0.0.1"


def loopback_hostname() -> str:
    """Airflow's ``[core] hostname_callable`` here: tasks record 127.0.0.1, where the log server listens."""
    return LOOPBACK


def airflow_ports() -> dict[str, int]:
    """The ports of Airflow's servers: the API server (UI, REST and execution API) and the log server.

    ``AIRFLOW_PORT`` (default 8080) and ``AIRFLOW_LOG_PORT`` (default 8793; the worker's and the
    triggerer's logs are served by one server) change them; everything that points at them follows.
    """
    return {
        "api": int(os.environ.get("AIRFLOW_PORT", "8080")),
        "logs": int(os.environ.get("AIRFLOW_LOG_PORT", "8793")),
    }


def airflow_env(wh: Warehouse) -> dict[str, str]:
    af = urlsplit(wh.airflow_url)
    sqla = f"postgresql+psycopg2://{af.netloc}{af.path}"
    ports = airflow_ports()
    home = local_dir() / "airflow"
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project_root() / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": os.environ.get(
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False"
        ),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqla,
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        # Cosmos keeps dbt's partial_parse.msgpack here between runs (dags/transform.py, cache_dir)
        "AIRFLOW__COSMOS__CACHE_DIR": os.environ.get("AIRFLOW__COSMOS__CACHE_DIR", str(local_dir() / "cosmos")),
        # Every server binds 127.0.0.1 (pipeline/__main__.py starts them; tests/test_operations.py checks)
        "AIRFLOW__API__HOST": LOOPBACK,
        "AIRFLOW__API__PORT": str(ports["api"]),
        "AIRFLOW__API__BASE_URL": f"http://{LOOPBACK}:{ports['api']}",
        # tasks reach the API server here, so any AIRFLOW_PORT works
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{LOOPBACK}:{ports['api']}/execution/",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(ports["logs"]),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(ports["logs"]),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "pipeline.settings.loopback_hostname",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": LOOPBACK,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "simple_auth_manager_passwords.json.generated"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING"),
        # The contact center's time (WIB). Every DAG's start_date is aware (UTC), so schedules do not move;
        # Airflow 3's UI shows the zone picked in its user menu, the browser's by default.
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": os.environ.get("AIRFLOW__CORE__DEFAULT_TIMEZONE", "Asia/Jakarta"),
        # Airflow masks the Variable pseudonym_key (pipeline/pseudonym_key.py) in logs and the UI
        "AIRFLOW__CORE__SENSITIVE_VAR_CONN_NAMES": os.environ.get(
            "AIRFLOW__CORE__SENSITIVE_VAR_CONN_NAMES", "pseudonym_key"
        ),
        "AIRFLOW_CONN_WAREHOUSE": wh.airflow_conn_uri,
        "SCARF_ANALYTICS": "false",
        "DO_NOT_TRACK": "1",
    }


def dbt_env(wh: Warehouse) -> dict[str, str]:
    p = urlsplit(wh.url)
    return {
        "DBT_PROJECT_DIR": str(project_root() / "dbt_project"),
        "DBT_PROFILES_DIR": str(project_root() / "dbt_project"),
        "WAREHOUSE_HOST": p.hostname or "127.0.0.1",
        "WAREHOUSE_PORT": str(p.port or 5432),
        "WAREHOUSE_USER": unquote(p.username or ""),
        "DBT_ENV_SECRET_WAREHOUSE_PASSWORD": unquote(p.password or ""),
        "WAREHOUSE_DB": p.path.lstrip("/") or "warehouse",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }


EXECUTORS = ("local", "celery")
CELERY_WORKERS = ("worker1", "worker2")
CELERY_CONCURRENCY = 2  # tasks at a time per worker: 2 workers x 2 = [core] parallelism


def redis_password_file() -> Path:
    return local_dir() / "secrets" / "redis_password"


def redis_password() -> str:
    """The local Redis broker's password, generated once into ``.local/secrets/redis_password`` (0600)."""
    path = redis_password_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path.with_suffix(".new"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32) + "\n")
        os.replace(path.with_suffix(".new"), path)
    path.chmod(0o600)
    return path.read_text().strip()


def redis_port() -> int:
    """``REDIS_PORT``, else a port free on 127.0.0.1 now (chosen once per `make airflow`)."""
    if os.environ.get("REDIS_PORT"):
        return int(os.environ["REDIS_PORT"])
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def celery_env(wh: Warehouse, port: int) -> dict[str, str]:
    """CeleryExecutor: Redis on 127.0.0.1 carries the task messages, Airflow's metadata database keeps
    the results (as in docker-compose.yml). The password travels only in this environment and a 0600 file."""
    af = urlsplit(wh.airflow_url)
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://:{redis_password()}@{LOOPBACK}:{port}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://{af.netloc}{af.path}",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(CELERY_CONCURRENCY),
        # explicit (Airflow warns in every process otherwise): a task not acknowledged within 24 h is redelivered
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "86400",
        "REDIS_PORT": str(port),
    }


def configure(wh: Warehouse, extra: dict[str, str] | None = None, executor: str = "local") -> dict[str, str]:
    """Set the shared environment in this process (children inherit it); return it.

    ``executor="celery"`` adds the CeleryExecutor's settings (:func:`celery_env`); the default is
    Airflow's LocalExecutor (tasks run as the scheduler's subprocesses)."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    env = {
        "WAREHOUSE_URL": wh.url,
        "AIRFLOW_DB_URL": wh.airflow_url,
        "LANDING_DIR": os.environ.get("LANDING_DIR", str(project_root() / "data" / "landing")),
        "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", str(local_dir() / "run")),
        **airflow_env(wh),
        **(celery_env(wh, redis_port()) if executor == "celery" else {}),
        **dbt_env(wh),
        **(extra or {}),
    }
    Path(env["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    secure_airflow_home(env)
    os.environ.update(env)
    return env


SECRET_FILES = ("airflow.cfg", "simple_auth_manager_passwords.json.generated", "webserver_config.py")


def secure_airflow_home(env: dict[str, str]) -> None:
    """Airflow's home is 0700 and its secrets 0600: airflow.cfg (fernet key, JWT secret) and the
    admin password file, which is created empty here, 0600, before Airflow writes the password
    into it (Airflow itself would create it with the umask's mode)."""
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    home.chmod(0o700)
    passwords = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    os.close(os.open(passwords, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in SECRET_FILES:
        f = home / name
        if f.exists():
            f.chmod(0o600)
    passwords.chmod(0o600)
