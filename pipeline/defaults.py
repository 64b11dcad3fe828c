"""default_args shared by every DAG.

``DJPK_TASK_RETRIES`` overrides the retry count (read from the environment at
parse time, never from an Airflow Variable): the local runner sets 0 so that
`make run` fails fast instead of waiting out retry delays.
"""

from __future__ import annotations

import datetime as dt
import os

from pipeline.alerts import on_failure

# The team that answers for every DAG (Airflow's "owner" column and filter).
OWNER = "djpk-data"


def default_args(retry_delay: dt.timedelta = dt.timedelta(minutes=5), **extra) -> dict:
    return {
        "owner": OWNER,
        "retries": int(os.environ.get("DJPK_TASK_RETRIES", "2")),
        "retry_delay": retry_delay,
        "retry_exponential_backoff": True,
        "on_failure_callback": on_failure,
        **extra,
    }


def _load_params() -> dict:
    from airflow.sdk import Param

    return {
        "force_deletions": Param(
            False,
            type="boolean",
            description="Let a full refresh delete rows although its listing is not proved complete or it "
            "shrinks the table by more than DJPK_MAX_SHRINK (default 5 %). Use only when the "
            "source really dropped them.",
        ),
    }


# The load options every source DAG offers (read by extractors.runner.load_task).
LOAD_PARAMS = _load_params()
