"""Deskpro stand-in for a local run: the REST API v2 on 127.0.0.1, a fresh API key."""

from __future__ import annotations

import secrets
from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_DESKPRO_API"]


def start(seed: int, workdir: Path) -> RunningStandIn:
    import json

    from simulators.deskpro import DeskproStandIn

    key = secrets.token_urlsafe(16)
    srv = DeskproStandIn(seed=seed, api_key=key).start()
    conn = json.dumps({"conn_type": "http", "password": key, "extra": {"base_url": srv.base_url}})
    return RunningStandIn("deskpro", {CONN_ENVS[0]: conn}, srv.stop, {"url": srv.base_url})
