"""Employee-advocacy stand-in for a local run: the programme's exports in a folder.

The real exports are dropped by the programme secretariat in a shared folder; the
connection ``employee_advocacy_folder`` (conn type ``fs``, extra ``path``, password =
the key of the NIP's keyed hash) points at it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_EMPLOYEE_ADVOCACY_FOLDER"]
STAND_IN_NIP_KEY = "stand-in-nip-key-not-a-secret"


def start(seed: int, workdir: Path) -> RunningStandIn:
    from simulators.employee_advocacy.files import write_files
    from simulators.employee_advocacy.world import generate

    folder = Path(workdir) / "employee_advocacy"
    if folder.exists():
        shutil.rmtree(folder)
    paths = write_files(generate(seed), folder, seed)
    conn = json.dumps({"conn_type": "fs", "password": STAND_IN_NIP_KEY, "extra": {"path": str(folder)}})

    def stop() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    return RunningStandIn(
        "employee_advocacy", {CONN_ENVS[0]: conn}, stop, {"folder": str(folder), "files": str(len(paths))}
    )
