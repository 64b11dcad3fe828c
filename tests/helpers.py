"""What the extractor tests share: a stand-in per module, fast retries, recorded waits, the batch's CSVs."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import Any

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
