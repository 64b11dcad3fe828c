"""The daily build's scope (pipeline/build_scope.py): what changed since the last good build."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from loaders.postgres import ensure_meta
from pipeline import build_scope

KEY = "key-1"
T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def _manifest(*sources: str) -> dict:
    return {"sources": {f"source.djpk.{s}.t": {"source_name": s} for s in (*sources, "pipeline")}}


def _batch(conn, batch_id: str, source: str, at: dt.datetime, **counts) -> None:
    streams = {"s": {"copied": 10, "unchanged": 10, **counts}}
    conn.execute(
        "insert into raw._batches (batch_id, source, window_, streams, requests, loaded_at)"
        " values (%s, %s, '{}', %s, 1, %s)",
        (batch_id, source, json.dumps(streams), at),
    )
    conn.commit()


def _build(directory: Path, target: Path, the_plan, statuses=("success", "pass", "no-op", "warn")) -> bool:
    """What the transform does after dbt: stage the build's state, then commit it once the marts are checked."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "manifest.json").write_text(json.dumps(_manifest("whatsapp", "avaya")))
    results = [{"unique_id": f"n{i}", "status": s} for i, s in enumerate(statuses)]
    (target / "run_results.json").write_text(json.dumps({"results": results}))
    staged = build_scope.stage(target, directory, the_plan)
    return staged and build_scope.commit(directory)


@pytest.fixture()
def raw(conn):
    ensure_meta(conn)
    return conn


def test_everything_is_built_until_a_build_passed(raw, tmp_path):
    state = tmp_path / "state"
    first = build_scope.plan(raw, state, KEY)
    assert first.full and first.dbt_args() == [] and "no earlier build" in first.reason
    # a failed build records nothing: the next plan is still a full one
    assert not _build(state, tmp_path / "t1", first, statuses=("success", "fail"))
    assert build_scope.plan(raw, state, KEY).full
    assert not _build(state, tmp_path / "t1", first, statuses=("error", "skipped"))  # skipped: upstream failed
    assert build_scope.plan(raw, state, KEY).full
    assert _build(state, tmp_path / "t2", first)
    nxt = build_scope.plan(raw, state, KEY)
    assert not nxt.full
    assert nxt.select == ["state:modified+", "source:pipeline+"]
    assert nxt.dbt_args() == ["--select", "state:modified+ source:pipeline+", "--state", str(state)]


def test_a_source_whose_load_changed_rows_is_built_with_everything_downstream(raw, tmp_path):
    state = tmp_path / "state"
    _batch(raw, "b1", "whatsapp", T0, inserted=10)
    assert _build(state, tmp_path / "t1", build_scope.plan(raw, state, KEY))
    _batch(raw, "b2", "whatsapp", T0 + dt.timedelta(hours=1))  # a rerun that changed nothing
    _batch(raw, "b3", "avaya", T0 + dt.timedelta(hours=1), updated=1)
    p = build_scope.plan(raw, state, KEY)
    assert not p.full and p.changed_sources == ["avaya"]
    assert p.select == ["source:avaya+", "state:modified+", "source:pipeline+"]
    # rejects seen again (a re-read) change only raw._quarantine: source:pipeline+ is built anyway
    _batch(raw, "w-q", "whatsapp", T0 + dt.timedelta(hours=2), quarantined=3, resolved=1)
    assert build_scope.plan(raw, state, KEY).changed_sources == ["avaya"]
    _batch(raw, "w-d", "whatsapp", T0 + dt.timedelta(hours=2), deleted=2)
    assert build_scope.plan(raw, state, KEY).changed_sources == ["avaya", "whatsapp"]


def test_a_batch_committed_after_the_plan_with_an_earlier_load_time_is_not_lost(raw, tmp_path):
    state = tmp_path / "state"
    _batch(raw, "b1", "whatsapp", T0, inserted=5)
    assert _build(state, tmp_path / "t1", build_scope.plan(raw, state, KEY))
    # a long load stamped before the last plan's newest batch, committed after that plan
    _batch(raw, "late", "avaya", T0 - dt.timedelta(minutes=30), inserted=3)
    assert build_scope.plan(raw, state, KEY).changed_sources == ["avaya"]


def test_the_last_good_state_stays_until_a_build_passes(raw, tmp_path):
    state = tmp_path / "state"
    assert _build(state, tmp_path / "t1", build_scope.plan(raw, state, KEY))
    _batch(raw, "b1", "avaya", T0, inserted=1)
    p = build_scope.plan(raw, state, KEY)
    assert p.changed_sources == ["avaya"]
    assert not _build(state, tmp_path / "t2", p, statuses=("success", "error"))
    assert build_scope.plan(raw, state, KEY).changed_sources == ["avaya"]  # still to build
    # staged but the marts' check failed: not committed either
    target = tmp_path / "t3"
    target.mkdir()
    (target / "manifest.json").write_text(json.dumps(_manifest("avaya")))
    (target / "run_results.json").write_text(json.dumps({"results": [{"status": "success"}]}))
    assert build_scope.stage(target, state, p)
    assert build_scope.plan(raw, state, KEY).changed_sources == ["avaya"]
    assert build_scope.commit(state)
    assert build_scope.plan(raw, state, KEY).changed_sources == []


@pytest.mark.parametrize("change", ["key", "warehouse", "unknown_source", "asked"])
def test_everything_is_built_when_the_comparison_cannot_be_trusted(raw, tmp_path, change):
    state = tmp_path / "state"
    assert _build(state, tmp_path / "t1", build_scope.plan(raw, state, KEY))
    key, full = KEY, False
    if change == "key":
        key = "key-2"
    elif change == "warehouse":
        data = json.loads((state / build_scope.STATE_FILE).read_text())
        (state / build_scope.STATE_FILE).write_text(json.dumps({**data, "warehouse": "123/other"}))
    elif change == "unknown_source":
        _batch(raw, "b1", "newsource", T0, inserted=1)
    else:
        full = True
    p = build_scope.plan(raw, state, key, full_build=full)
    assert p.full and p.dbt_args() == [], p
    # a full build's state is recorded like any other
    assert _build(state, tmp_path / "t2", p)
    assert not build_scope.plan(raw, state, key).full or change == "unknown_source"


def test_changed_rows_counts_only_changes():
    assert build_scope.changed_rows({"a": {"copied": 5, "unchanged": 5}}) == 0
    assert build_scope.changed_rows({"a": {"inserted": 1}, "b": {"deleted": 2, "cleaned": 7, "quarantined": 4}}) == 3
    assert build_scope.changed_rows({}) == 0
