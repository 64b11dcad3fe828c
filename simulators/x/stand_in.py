"""X API v2 stand-in for a local run on 127.0.0.1 (a fresh Bearer token), plus the
analytics CSV exports dropped into ``<workdir>/analytics``.

The demo needs the daily follower snapshots a schedule would have collected
since December 2022 (followers exist only as current values). The stand-in writes
what a capture at the end of every past day would have read
(``XStandIn.write_capture_history``) into ``<workdir>/history``, and the connection
points the extractor's generic ``history_dir`` setting at it: a full refresh
imports them, then captures "now" itself. Nothing in ``extractors/`` knows it
talks to a stand-in.

``simulated_clock`` in the extra only describes the stand-in (its history starts
at ``replay_from``); no extractor reads it.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_X_API"]


def start(seed: int, workdir: Path) -> RunningStandIn:
    from simulators.scenario.world import DEFAULT_START
    from simulators.x import XStandIn

    token = secrets.token_urlsafe(24)
    srv = XStandIn(seed=seed, bearer_token=token).start()
    analytics = Path(workdir) / "analytics"
    srv.write_analytics_exports(analytics)
    history = Path(workdir) / "history"
    srv.write_capture_history(history)
    extra = {
        "base_url": srv.base_url,
        "username": srv.username,
        "analytics_dir": str(analytics),
        "history_dir": str(history),
        "simulated_clock": {"replay_from": DEFAULT_START},
    }
    conn = json.dumps({"conn_type": "http", "password": token, "extra": extra})
    return RunningStandIn(
        "x", {CONN_ENVS[0]: conn}, srv.stop, {"url": srv.base_url, "analytics": str(analytics), "history": str(history)}
    )
