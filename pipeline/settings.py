"""The environment every process of a local run shares.

One place turns "where is the warehouse, where are the sources" into the
variables Airflow, dbt and our own code read: Airflow connections as
``AIRFLOW_CONN_*`` (credentials go nowhere else), dbt's profile variables (the
password as ``DBT_ENV_SECRET_*`` so dbt scrubs it from logs), Airflow's home and
metadata database. Nothing here is ever printed with its secrets.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from warehouse.config import Warehouse, local_dir, project_root


def bin_path(name: str) -> str:
    """A console script of this interpreter's environment (dbt, airflow)."""
    return str(Path(sys.executable).parent / name)


def airflow_env(wh: Warehouse) -> dict[str, str]:
    af = urlsplit(wh.airflow_url)
    sqla = f"postgresql+psycopg2://{af.netloc}{af.path}"
    return {
        "AIRFLOW_HOME": str(local_dir() / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project_root() / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqla,
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": os.environ.get("AIRFLOW_PORT", "8080"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING"),
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


def configure(wh: Warehouse, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Set the shared environment in this process (children inherit it); return it."""
    env = {
        "WAREHOUSE_URL": wh.url,
        "AIRFLOW_DB_URL": wh.airflow_url,
        "LANDING_DIR": os.environ.get("LANDING_DIR", str(project_root() / "data" / "landing")),
        "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", str(local_dir() / "run")),
        **airflow_env(wh),
        **dbt_env(wh),
        **(extra or {}),
    }
    Path(env["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ.update(env)
    return env
