"""Failure callback: one clear log line per failed task, and a webhook post when configured.

The webhook is the Airflow connection ``alert_webhook`` (host = the URL, which may
carry a token): it is read only when a task fails, never at DAG parse time, and
its URL is never logged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger("djpk.alerts")

WEBHOOK_CONN_ID = "alert_webhook"


def describe_failure(context: dict[str, Any]) -> str:
    ti = context.get("task_instance") or context.get("ti")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    run_id = getattr(ti, "run_id", None) or context.get("run_id", "?")
    try_number = getattr(ti, "try_number", "?")
    exc = context.get("exception")
    reason = f"{type(exc).__name__}: {exc}" if exc else "no exception recorded"
    return f"TASK FAILED dag={dag_id} task={task_id} run={run_id} try={try_number}: {reason}"


def on_failure(context: dict[str, Any]) -> None:
    line = describe_failure(context)
    log.error(line)
    url = _webhook_url()
    if url:
        import requests

        try:
            requests.post(
                url, data=json.dumps({"text": line}), headers={"Content-Type": "application/json"}, timeout=10
            )
        except requests.RequestException as exc:  # an alert must never mask the failure
            log.warning("alert webhook post failed: %s", type(exc).__name__)


def _webhook_url() -> str | None:
    try:
        from airflow.sdk import Connection

        conn = Connection.get(WEBHOOK_CONN_ID)
    except Exception:  # no such connection: webhook not configured
        return None
    host = conn.host or ""
    if not host:
        return None
    if "://" not in host:
        host = f"{conn.conn_type or 'https'}://{host}"
    return host
