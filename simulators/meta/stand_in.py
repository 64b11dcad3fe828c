"""Graph API stand-in for a local run: Instagram + Facebook Page on 127.0.0.1, a fresh token.

The demo needs the history a schedule would have collected since December 2022:
follower counts and the 24-hour stories exist only as current values. The
stand-in writes what a capture at the end of every past day would have read
(``GraphStandIn.write_capture_history``) into ``<workdir>/history``, and the
connection points the extractor's generic ``history_dir`` setting at it: a full
refresh imports those captures, then captures "now" itself. Nothing in
``extractors/`` knows it talks to a stand-in.

``simulated_clock`` in the extra only describes the stand-in (its history starts
at ``replay_from``); no extractor reads it.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_META_GRAPH_API"]


def start(seed: int, workdir: Path) -> RunningStandIn:
    from simulators.meta import GraphStandIn
    from simulators.scenario.world import DEFAULT_START

    token = secrets.token_urlsafe(24)
    srv = GraphStandIn(seed=seed, access_token=token).start()
    history = Path(workdir) / "history"
    srv.write_capture_history(history)
    extra = {
        "base_url": srv.base_url,
        "ig_user_id": srv.ig_user_id,
        "page_id": srv.page_id,
        "history_start": DEFAULT_START,
        "history_dir": str(history),
        "simulated_clock": {"replay_from": DEFAULT_START},
    }
    conn = json.dumps({"conn_type": "http", "password": token, "extra": extra})
    return RunningStandIn("meta", {CONN_ENVS[0]: conn}, srv.stop, {"url": srv.base_url, "history": str(history)})
