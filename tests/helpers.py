"""What the extractor tests share: a stand-in per module, fast retries, recorded waits, the batch's CSVs."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from extractors.common.http import RetryPolicy

FAST_RETRY = RetryPolicy(attempts=4, initial=0.01, max_backoff=0.05)


class Sleeps(list):
    """A client's ``sleep`` that records each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def stand_in(make: Callable[[], Any], *resets: Callable[[Any], Any]) -> tuple[Any, Any]:
    """Fixtures ``server`` (``make()`` running for the whole module) and ``_clean`` (autouse): before every
    test the stand-in's faults and request log are cleared and each of ``resets`` is called on it; after
    it, its faults are cleared. In a test module: ``server, _clean = stand_in(lambda: StandIn(...))``."""

    @pytest.fixture(scope="module")
    def server():
        with make() as srv:
            yield srv

    @pytest.fixture(autouse=True)
    def _clean(server):
        server.faults.clear()
        server.request_log.clear()
        for reset in resets:
            reset(server)
        yield
        server.faults.clear()

    return server, _clean


def with_sleeps(cfg: Any, sleeps: Sleeps | None) -> Any:
    """``cfg``, whose ``client()`` gives one client that records its waits in ``sleeps`` (if given)."""
    if sleeps is not None:
        client = cfg.client()
        client.sleep = sleeps
        cfg.client = lambda: client
    return cfg


def rows(batch: Any, stream: str) -> list[dict[str, str]]:
    """The rows of a stream's CSV in the batch."""
    with open(batch.folder / f"{stream}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def records(batch: Any, stream: str) -> list[dict[str, Any]]:
    """The records (the ``record`` column, parsed) of a stream's CSV in the batch."""
    return [json.loads(r["record"]) for r in rows(batch, stream)]


DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"


def dbt(db_url: str, *args: str, target: Path | None = None) -> subprocess.CompletedProcess:
    """The project's dbt (``args``: ``build --select …``) against ``db_url``, its output captured; the profile
    reads WAREHOUSE_*. ``target``: a folder for dbt's target/ and logs/ (default: a new temporary one, so tests
    running side by side never share dbt_project/target)."""
    p = urlsplit(db_url)
    env = {
        **os.environ,
        "WAREHOUSE_HOST": p.hostname,
        "WAREHOUSE_PORT": str(p.port),
        "WAREHOUSE_USER": unquote(p.username),
        "DBT_ENV_SECRET_WAREHOUSE_PASSWORD": unquote(p.password),
        "WAREHOUSE_DB": p.path.lstrip("/"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    target = target or Path(tempfile.mkdtemp(prefix="djpk-dbt-"))
    paths = ["--target-path", str(target / "target"), "--log-path", str(target / "logs")]
    command = [str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(DBT_PROJECT)]
    command += ["--profiles-dir", str(DBT_PROJECT), *paths]
    return subprocess.run(command, env=env, capture_output=True, text=True)


def ticket(i: int, status_at: str = "2023-12-04T02:02:02+0000", **kw) -> dict:
    """A Deskpro ticket as the API lists it, resolved on ``status_at``; ``kw`` overrides any field."""
    return {
        "id": i,
        "status": "resolved",
        "date_created": "2023-12-01T01:00:00+0000",
        "date_status": status_at,
        "department": 1,
        "creation_system": "gateway.person",
        **kw,
    }


def strings(node: Any):
    """Every string of a parsed JSON or YAML document, mapping keys included."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield str(k)
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif node is not None:
        yield str(node)


def stop_and_list_leftovers(
    proc: Any, started: dict, setup: Any, interrupt: Callable[[], None], timeout: float
) -> list:
    """Ctrl-C a process tree (``interrupt``), wait for ``proc``, kill and return what of ``started``
    (psutil processes) is still alive, and remove the test's warehouse (``setup``)."""
    import psutil

    interrupt()
    try:
        proc.wait(timeout=timeout)
    finally:
        leftovers = [p for p in started.values() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        for p in leftovers:
            p.kill()
        setup.destroy()
    return leftovers
