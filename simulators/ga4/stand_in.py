"""GA4 stand-in for a local run: the Data API on 127.0.0.1 with a fresh bearer token."""

from __future__ import annotations

import secrets
from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_GA4_API"]


def start(seed: int, workdir: Path) -> RunningStandIn:
    import json

    from simulators.ga4 import Ga4StandIn

    token = "ya29.local-" + secrets.token_urlsafe(16)
    srv = Ga4StandIn(seed=seed, token=token).start()
    conn = json.dumps(
        {"conn_type": "http", "password": token, "extra": {"base_url": srv.base_url, "property_id": srv.property_id}}
    )
    return RunningStandIn("ga4", {CONN_ENVS[0]: conn}, srv.stop, {"url": srv.base_url, "property": srv.property_id})
