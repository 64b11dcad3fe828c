"""Graph API stand-in for a local run: Instagram + Facebook Page on 127.0.0.1, a fresh token.

The connection it hands out sets ``history_start`` and a ``simulated_clock``: on a
full refresh the extractor replays the daily captures (follower snapshots and the
24-hour stories) of every day since December 2022 against the stand-in's clock,
so the demo has the history a daily schedule would have collected.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_META_GRAPH_API"]


def start(seed: int, workdir: Path) -> RunningStandIn:
    from simulators.meta import GraphStandIn
    from simulators.scenario.social import DEFAULT_START

    token = secrets.token_urlsafe(24)
    srv = GraphStandIn(seed=seed, access_token=token).start()
    extra = {
        "base_url": srv.base_url,
        "ig_user_id": srv.ig_user_id,
        "page_id": srv.page_id,
        "history_start": DEFAULT_START,
        "simulated_clock": {"param": "as_of", "replay_from": DEFAULT_START},
    }
    conn = json.dumps({"conn_type": "http", "password": token, "extra": extra})
    return RunningStandIn("meta", {CONN_ENVS[0]: conn}, srv.stop, {"url": srv.base_url})
