"""CMS stand-in for a local run: a WordPress REST API on 127.0.0.1.

The site is public, so the connection carries no credentials (a real site that
requires them takes a WordPress application password as login/password).
"""

from __future__ import annotations

from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_CMS_API"]


def start(seed: int, workdir: Path) -> RunningStandIn:
    import json

    from simulators.cms import WordPressStandIn

    srv = WordPressStandIn(seed=seed).start()
    conn = json.dumps({"conn_type": "http", "extra": {"base_url": srv.base_url, "kind": "wordpress"}})
    return RunningStandIn("cms", {CONN_ENVS[0]: conn}, srv.stop, {"url": srv.base_url + "/wp-json/wp/v2"})
