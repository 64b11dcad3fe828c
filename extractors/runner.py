"""The one runner of every source: extract -> batch -> load, with its guarantees.

``extract`` calls the source's declared ``extract(ctx)`` and logs what arrived per
stream; ``load`` loads the committed batch (completeness guard, quarantine and its
resolution, watermarks: ``loaders.postgres``), applies the landing retention and
the source's ``after_load`` hook, and logs each stream's progress at INFO:
pages, rows, rejects, cleaned, watermark before -> after, the completeness
evidence and what was inserted, updated and deleted. Both return plain dicts, so
Airflow's XCom and the CLI show the same summary.

The Airflow task bodies (``extract_task``, ``load_task``) and the CLI
(``python -m extractors``) are thin callers of these two functions.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from extractors.common.source import RunContext, Source

log = logging.getLogger(__name__)


def landing_dir() -> Path:
    from warehouse.config import project_root

    return Path(os.environ.get("LANDING_DIR", project_root() / "data" / "landing"))


def retention_days() -> float:
    """Days a loaded landing batch is kept (``DJPK_LANDING_RETENTION_DAYS``, default 7)."""
    return float(os.environ.get("DJPK_LANDING_RETENTION_DAYS", "7"))


def connection_from_env(conn_id: str) -> Any:
    """The Airflow connection ``conn_id`` as Airflow reads it from ``AIRFLOW_CONN_<ID>``
    (JSON or URI), for runs outside Airflow: the CLI reads what the DAG reads."""
    from airflow.models.connection import Connection

    var = f"AIRFLOW_CONN_{conn_id.upper()}"
    value = os.environ.get(var)
    if not value:
        raise SystemExit(
            f"{conn_id}: set {var} (the Airflow connection, as JSON or URI); see docs/sources/ for the source's fields"
        )
    if value.lstrip().startswith("{"):
        return Connection.from_json(value, conn_id=conn_id)
    return Connection(conn_id=conn_id, uri=value)


def _stream_summary(r: Any) -> dict[str, Any]:
    return {
        "pages": r.pages,
        "rows": r.records,
        "rejected": r.rejected,
        "cleaned": r.cleaned,
        "nulled": r.nulled,
        "complete": r.complete,
        "expected": r.expected,
        "received": r.received,
        "watermark": r.watermark,
        "full_refresh": r.full_refresh,
    }


def extract(source: Source, ctx: RunContext) -> dict[str, Any]:
    """Run the source's extract into a committed batch; its summary (``manifest`` = the batch folder)."""
    log.info(
        "%s: extracting %s",
        source.name,
        "everything (full refresh)"
        if ctx.full_refresh
        else f"from {ctx.since.isoformat() if ctx.since else 'the stored state'}"
        f"{' to ' + ctx.until.isoformat() if ctx.until else ''}",
    )
    batch = source.extract(ctx)
    streams = {name: _stream_summary(r) for name, r in batch.streams.items()}
    for name, s in streams.items():
        log.info(
            "%s.%s: %d pages, %d rows, %d rejected, %d cleaned, %d nulled; listing %s%s; watermark %s",
            source.name,
            name,
            s["pages"],
            s["rows"],
            s["rejected"],
            s["cleaned"],
            s["nulled"],
            {True: "complete", False: "INCOMPLETE", None: "not attested"}[s["complete"]],
            f" ({s['received']} of {s['expected']})" if s["expected"] is not None else "",
            s["watermark"],
        )
    return {"source": source.name, "manifest": str(batch.folder), "streams": streams}


def load(
    source: Source, manifest: str | Path, conn: Any, force_deletions: bool = False, streams: list[str] | None = None
) -> dict[str, Any]:
    """Load one committed batch on ``conn`` (psycopg); then retention and ``after_load``."""
    from extractors.common.batch import prune, read_manifest
    from loaders import LoadOptions, load_batch
    from loaders.postgres import ensure_meta

    options = LoadOptions.from_env(force_deletions=force_deletions)
    to_load: str | Path = manifest
    if streams:
        have = read_manifest(manifest)["streams"]
        unknown = set(streams) - set(have)
        if unknown:
            raise SystemExit(
                f"{source.name}: no stream {', '.join(sorted(unknown))} in the batch (it has {', '.join(have)})"
            )
        to_load = _only_streams(manifest, streams)
    ensure_meta(conn)
    before = dict(
        conn.execute("select stream, watermark::text from raw._watermarks where source = %s", (source.name,)).fetchall()
    )
    conn.commit()
    result = load_batch(conn, to_load, options)
    loaded = {
        r[0] for r in conn.execute("select batch_id from raw._batches where source = %s", (source.name,)).fetchall()
    }
    conn.commit()
    folder = Path(read_manifest(manifest)["folder"])
    pruned = prune(folder.parent.parent, source.name, retention_days(), loaded.__contains__)
    if source.after_load is not None:
        source.after_load(str(manifest))
    out: dict[str, Any] = {
        "source": source.name,
        "batch_id": result.batch_id,
        "pruned_batches": len(pruned),
        "streams": {},
    }
    for name, sl in result.streams.items():
        s = {**vars(sl), "watermark_before": before.get(name)}
        out["streams"][name] = s
        # the loader logs the stream's counts; the watermark's move is the runner's to tell
        log.info("%s.%s watermark %s -> %s", source.name, name, before.get(name), sl.watermark or before.get(name))
    return out


def _only_streams(manifest: str | Path, streams: list[str]) -> Path:
    """A copy of the manifest naming only ``streams`` (same batch folder and id)."""
    from extractors.common.batch import MANIFEST, private_open, read_manifest

    m = read_manifest(manifest)
    folder = Path(m.pop("folder"))
    m["streams"] = {k: v for k, v in m["streams"].items() if k in streams}
    path = folder / f"{MANIFEST}.{'+'.join(sorted(streams))}"
    with private_open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(m, indent=2, default=str))
    return path


# ---------------------------------------------------------------- Airflow task bodies


def _warehouse_factory(conn_id: str) -> Callable[[], Any]:
    def open_() -> Any:
        from airflow.providers.postgres.hooks.postgres import PostgresHook
        from psycopg.rows import tuple_row

        conn = PostgresHook(postgres_conn_id=conn_id).get_conn()
        conn.row_factory = tuple_row
        return conn

    return open_


def extract_task(
    source_name: str, warehouse_conn_id: str, start: dt.datetime | None, end: dt.datetime | None, full_refresh: bool
) -> str:
    """The ``extract`` task of a source DAG: the batch folder (its manifest) for ``load``."""
    from airflow.sdk import Connection

    from extractors.registry import get

    source = get(source_name)
    full_refresh = bool(full_refresh) or source.reconciles(start)
    ctx = RunContext(
        Connection.get(source.conn_id), landing_dir(), start, end, full_refresh, _warehouse_factory(warehouse_conn_id)
    )
    return extract(source, ctx)["manifest"]


def load_task(source_name: str, warehouse_conn_id: str, manifest: str, force_deletions: bool) -> dict:
    """The ``load`` task of a source DAG: its summary is the task's XCom."""
    from extractors.registry import get

    with _warehouse_factory(warehouse_conn_id)() as conn:
        return load(get(source_name), manifest, conn, force_deletions=bool(force_deletions))
