"""Staff registers stand-in for a local run: the workbooks of the seeded world in a folder.

The real registers live on a shared drive; the connection ``registers_folder``
(conn type ``fs``, extra ``path``) points at the folder staff save them in.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_REGISTERS_FOLDER"]


def start(seed: int, workdir: Path) -> RunningStandIn:
    from simulators.registers.workbooks import write_workbooks
    from simulators.scenario.registers import generate

    folder = Path(workdir) / "workbooks"
    if folder.exists():
        shutil.rmtree(folder)
    paths = write_workbooks(generate(seed), folder)
    conn = json.dumps({"conn_type": "fs", "extra": {"path": str(folder)}})

    def stop() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    return RunningStandIn(
        "registers", {CONN_ENVS[0]: conn}, stop, {"folder": str(folder), "workbooks": str(len(paths))}
    )
