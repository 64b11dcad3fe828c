"""Avaya stand-in for a local run: the landing folder the CMS export job and the CDR collector fill."""

from __future__ import annotations

from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_AVAYA_FILES"]


def start(seed: int, workdir: Path) -> RunningStandIn:
    import json

    from simulators.avaya import AvayaStandIn

    drop = AvayaStandIn(Path(workdir) / "drop", seed=seed).write()
    conn = json.dumps({"conn_type": "fs", "extra": {"path": str(drop.folder)}})
    return RunningStandIn(
        "avaya", {CONN_ENVS[0]: conn}, drop.stop, {"path": str(drop.folder), "files": str(len(drop.files))}
    )
