"""Earlier captures of current-value streams, imported from a source's ``history_dir``.

Some values exist only as current values (follower counts, the 24-hour stories):
what no run captured on the day cannot be read from the API later. A deployment
that starts late can import the captures it has from elsewhere (another tool, an
earlier deployment, a manual record) by dropping them into the folder configured
as ``history_dir``: one JSON object per line, the object as the API returns it,
plus ``captured_at`` (ISO 8601 with an offset), the instant the values were read.
A full refresh loads them into the batch, before its own captures, as if they had
been captured then. Which files a source reads is its own (``extractors/meta/streams.py``,
``extractors/x/streams.py``). A line that is not a JSON object, lacks
``captured_at`` or belongs to another account goes to the quarantine with the
file and line (never its text).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def read_lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """``(line number, object, problem)`` per non-empty line; ``problem`` is None for a good line."""
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                yield line_no, None, f"not JSON ({exc.msg} at column {exc.colno})"
                continue
            if not isinstance(obj, dict):
                yield line_no, None, f"not a JSON object but {type(obj).__name__}"
                continue
            yield line_no, obj, None


def captured_at(obj: dict[str, Any]) -> tuple[dt.datetime | None, str | None]:
    """The capture instant of a snapshot line, or why there is none."""
    raw = obj.get("captured_at")
    if not isinstance(raw, str) or not raw:
        return None, "no captured_at (the ISO 8601 instant the values were read)"
    try:
        at = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None, f"captured_at {raw!r} is not an ISO 8601 instant"
    if at.tzinfo is None:
        return None, f"captured_at {raw!r} has no UTC offset"
    return at, None


def import_file(out: Any, path: Path, label: str, accept: Callable[[dict[str, Any], str], str | None]) -> int:
    """Every line of ``path`` through ``accept(obj, request)``, which writes it and returns None, or
    returns why it is not imported; such a line, and one that is no JSON object, goes to ``out``'s
    rejections with its file and line. Returns how many records the stream gained."""
    before = out.result.records
    for line_no, obj, problem in read_lines(path):
        request = f"FILE {path.name}:{line_no}"
        if obj is not None:
            problem = accept(obj, request)
            if problem is None:
                continue
        where = f"file={path.name},line={line_no}"
        log.warning("%s: %s not imported: %s", label, where, problem)
        out.reject(where, f"history_dir: {problem}", {"file": path.name, "line": line_no}, request)
    return out.result.records - before
