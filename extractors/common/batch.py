"""A batch: what one extract run hands to the loader.

A batch is a folder ``<landing>/<source>/<batch_id>/`` with, per stream, a CSV
file ready for PostgreSQL ``COPY`` (typed key columns, ``_seq``, ``_request``,
``record`` as JSON text) and a JSONL file of rejected records with their reasons,
plus ``manifest.json``. The manifest is written last, atomically: a batch without
one is incomplete and the loader refuses it, so a failed extract never loads half
a window.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


def new_batch_id(source: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{source}-{stamp}-{uuid.uuid4().hex[:8]}"


@dataclass
class StreamSpec:
    """What the loader needs to know of a stream, independent of its source."""

    table: str  # raw.<table>
    columns: list[tuple[str, str]]  # typed key columns: (name, postgres type)
    primary_key: list[str]
    replication_key: str | None = None


@dataclass
class StreamResult:
    spec: StreamSpec
    file: str
    rejects_file: str
    records: int = 0
    rejected: int = 0
    pages: int = 0
    watermark: str | None = None
    full_refresh: bool = False


class _StreamFile:
    def __init__(self, folder: Path, name: str, spec: StreamSpec, full_refresh: bool):
        self.result = StreamResult(spec, f"{name}.csv", f"{name}.rejects.jsonl", full_refresh=full_refresh)
        self._fh = open(folder / self.result.file, "w", newline="", encoding="utf-8")
        self._rej = open(folder / self.result.rejects_file, "w", encoding="utf-8")
        self._csv = csv.writer(self._fh)
        self._csv.writerow([c for c, _ in spec.columns] + ["_seq", "_request", "record"])
        self._seq = 0

    def write(self, keys: list[Any], record: dict, request: str) -> None:
        self._seq += 1
        self.result.records += 1
        self._csv.writerow(
            [_csv_value(v) for v in keys]
            + [self._seq, request, json.dumps(record, ensure_ascii=False, separators=(",", ":"))]
        )

    def reject(self, key: str, reason: str, record: Any, request: str) -> None:
        self.result.rejected += 1
        self._rej.write(
            json.dumps({"key": key, "reason": reason, "request": request, "record": record}, ensure_ascii=False) + "\n"
        )

    def close(self) -> None:
        self._fh.close()
        self._rej.close()


def _csv_value(v: Any) -> Any:
    if v is None:
        return ""  # COPY csv: unquoted empty = NULL
    if isinstance(v, dt.datetime):
        return v.isoformat()
    return v


@dataclass
class Batch:
    root: Path
    source: str
    batch_id: str = ""
    window: dict[str, Any] = field(default_factory=dict)
    streams: dict[str, StreamResult] = field(default_factory=dict)
    requests: int = 0
    _files: dict[str, _StreamFile] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.batch_id = self.batch_id or new_batch_id(self.source)
        self.folder.mkdir(parents=True, exist_ok=True)

    @property
    def folder(self) -> Path:
        return Path(self.root) / self.source / self.batch_id

    def stream(self, name: str, spec: StreamSpec, full_refresh: bool = False) -> _StreamFile:
        if name not in self._files:
            self._files[name] = _StreamFile(self.folder, name, spec, full_refresh)
            self.streams[name] = self._files[name].result
        return self._files[name]

    def commit(self) -> Path:
        for f in self._files.values():
            f.close()
        manifest = {
            "source": self.source,
            "batch_id": self.batch_id,
            "window": self.window,
            "requests": self.requests,
            "streams": {n: _result_dict(r) for n, r in self.streams.items()},
        }
        tmp = self.folder / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, default=str))
        os.replace(tmp, self.folder / MANIFEST)
        return self.folder / MANIFEST

    def abort(self) -> None:
        for f in self._files.values():
            f.close()


def _result_dict(r: StreamResult) -> dict:
    d = asdict(r)
    d["spec"]["columns"] = [list(c) for c in r.spec.columns]
    return d


def read_manifest(path: str | Path) -> dict:
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{path}: no manifest; the extract did not finish, so nothing is loaded")
    m = json.loads(path.read_text())
    m["folder"] = str(path.parent)
    return m
