"""Failure callback: one clear log line per failed task, and a webhook post when configured.

The webhook is the Airflow connection ``alert_webhook`` (host = the URL, which may
carry a token): it is read only when a task fails, never at DAG parse time, and
its URL is never logged.
"""

from __future__ import annotations

import json
import logging
import os
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
    _post(line)


def _post(line: str) -> None:
    """``{"text": line}`` to the webhook, when one is configured."""
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


# ---------------------------------------------------------------- deadline alerts (Airflow 3 DeadlineAlert)

# A daily source must have landed this many hours after its run's logical time
# (DJPK_LANDED_WITHIN_HOURS, read at parse time; e.g. Deskpro's @daily run of 00:00 UTC by 03:00 UTC = 10:00 WIB).
LANDED_WITHIN_HOURS = float(os.environ.get("DJPK_LANDED_WITHIN_HOURS", "3"))
# The monthly report runs at 06:00 WIB on the 1st: it must be rendered by 00:00 WIB on the 2nd.
REPORT_WITHIN_HOURS = 18.0


def describe_deadline(what: str, context: dict[str, Any] | None) -> str:
    run = (context or {}).get("dag_run") or {}
    deadline = (context or {}).get("deadline") or {}
    return (
        f"DEADLINE MISSED dag={run.get('dag_id', '?')} run={run.get('dag_run_id') or run.get('run_id', '?')} "
        f"state={run.get('state', '?')} deadline={deadline.get('deadline_time', '?')}: {what}"
    )


async def deadline_missed(what: str = "", context: dict[str, Any] | None = None, **_: Any) -> None:
    """Airflow's deadline callback (run by the triggerer): one log line and the same webhook post as a failure."""
    import asyncio

    line = describe_deadline(what, context)
    log.error(line)
    await asyncio.to_thread(_post, line)


def deadlines_enabled() -> bool:
    """``DJPK_DEADLINE_ALERTS=0`` builds the DAGs without deadline alerts. The local runner
    (``python -m pipeline run|dag|backfill``) sets it: Airflow 3.3's ``dag.test()`` fails a run
    whose DAG has deadlines when the run succeeds (it looks the in-memory alerts up as
    database ids: "can't adapt type 'dict'"); the scheduler's path is not affected."""
    return os.environ.get("DJPK_DEADLINE_ALERTS", "1") != "0"


def deadline(hours: float, what: str):
    """A DeadlineAlert: ``what`` is posted when the run has not finished ``hours`` after its logical date
    (None when deadlines are switched off)."""
    if not deadlines_enabled():
        return None
    import datetime as dt

    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
        interval=dt.timedelta(hours=hours),
        callback=AsyncCallback(deadline_missed, kwargs={"what": what}),
    )
