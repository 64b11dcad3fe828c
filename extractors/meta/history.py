"""Earlier captures of the current-value streams, imported from ``history_dir``.

Follower counts and the 24-hour stories exist only as current values: what no
run captured on the day cannot be read from the API later. A deployment that
starts late can import the captures it has from elsewhere (another tool, an
earlier deployment, a manual record) by dropping them into the folder configured
as ``history_dir``; a full refresh loads them into the batch, before its own
captures, as if they had been captured then. One JSON object per line:

* ``ig_account_snapshots.jsonl``: the Instagram account as
  ``GET /{ig-user-id}?fields=id,username,followers_count,...`` returns it, plus
  ``captured_at`` (ISO 8601 with an offset): the instant the values were read;
* ``fb_page_snapshots.jsonl``: the Page as ``GET /{page-id}?fields=...`` returns
  it, plus ``captured_at``;
* ``ig_stories.jsonl``: story objects as ``GET /{ig-user-id}/stories`` returns them.

A missing file is skipped; a line that is not a JSON object, lacks
``captured_at`` or belongs to another account goes to the quarantine with the
file and line (never its text).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FILES = ("ig_account_snapshots", "fb_page_snapshots", "ig_stories")


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
