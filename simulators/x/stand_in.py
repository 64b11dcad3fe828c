"""X API v2 stand-in for a local run on 127.0.0.1 (a fresh Bearer token), plus the
analytics CSV exports dropped into ``<workdir>/analytics``.

The connection it hands out sets a ``simulated_clock``: on a full refresh the
extractor replays the daily follower snapshot of every day since December 2022
against the stand-in's clock.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_X_API"]


def start(seed: int, workdir: Path) -> RunningStandIn:
    from simulators.scenario.social import DEFAULT_START
    from simulators.x import XStandIn

    token = secrets.token_urlsafe(24)
    srv = XStandIn(seed=seed, bearer_token=token).start()
    analytics = Path(workdir) / "analytics"
    srv.write_analytics_exports(analytics)
    extra = {
        "base_url": srv.base_url,
        "username": srv.username,
        "analytics_dir": str(analytics),
        "simulated_clock": {"param": "as_of", "replay_from": DEFAULT_START},
    }
    conn = json.dumps({"conn_type": "http", "password": token, "extra": extra})
    return RunningStandIn("x", {CONN_ENVS[0]: conn}, srv.stop, {"url": srv.base_url, "analytics": str(analytics)})
