"""The source contract, parametrised over the registry: every source, the same guarantees.

Declaration (fast): keys, cursor and mode declared and equal to the extractor's
Stream classes; a stand-in provides the source's connection.

Against its stand-in (slow; every stand-in started once, as `make run` does):
- a full load, then the same again: no duplicates, nothing inserted, updated or deleted;
- every stream that may delete (mode incremental or full_refresh) attests its
  listing complete on a full read;
- a malformed record is quarantined with its reason and the rest loads;
- a full refresh whose listing is short is refused: nothing loaded or deleted;
- its state round-trips: the watermarks stored are the batch's, and the next
  incremental run starts from them (or from the stored files/mailbox state).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import pkgutil
from pathlib import Path

import psycopg
import pytest

import extractors
from extractors.common.source import RunContext
from extractors.common.streams import Stream
from extractors.registry import NAMES, SOURCES, get

ROOT = Path(__file__).resolve().parents[1]


def stream_classes(source_name: str) -> dict[str, type[Stream]]:
    """Every Stream subclass the source's package defines, by stream name."""
    found: dict[str, type[Stream]] = {}
    pkg = importlib.import_module(f"extractors.{source_name}")
    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name in ("receiver", "source"):
            continue
        module = importlib.import_module(f"extractors.{source_name}.{mod.name}")
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, Stream)
                and obj.__module__ == module.__name__
                and getattr(obj, "source", None) == source_name
                and "name" in obj.__dict__
            ):
                found[obj.name] = obj
    return found


@pytest.mark.parametrize("name", NAMES)
def test_the_declaration_matches_the_extractor(name):
    source = get(name)
    classes = stream_classes(name)
    assert {s.name for s in source.streams} == set(classes), "declared streams = the extractor's streams"
    for decl in source.streams:
        cls = classes[decl.name]
        assert decl.primary_key == tuple(cls.primary_key), decl.name
        assert decl.cursor == cls.replication_key, decl.name
        assert decl.expected_total, f"{decl.name}: say how completeness is known"


@pytest.mark.parametrize("name", NAMES)
def test_every_source_has_a_stand_in_for_its_connection(name):
    source = get(name)
    mod = importlib.import_module(f"simulators.{name}.stand_in")
    assert mod.CONN_ENVS == [f"AIRFLOW_CONN_{source.conn_id.upper()}"]


def test_sources_are_registered_once_and_named_as_their_package():
    assert [s.name for s in SOURCES] == list(NAMES) and len(set(NAMES)) == len(NAMES)
    assert {p.name for p in pkgutil.iter_modules(extractors.__path__) if p.ispkg} - {"common"} == set(NAMES)


# ---------------------------------------------------------------- against the stand-ins


@pytest.fixture(scope="module")
def stand_ins(tmp_path_factory):
    """Every stand-in, started once; their connections as Airflow Connection objects."""
    from extractors.runner import connection_from_env

    work = tmp_path_factory.mktemp("stand-ins")
    with contextlib.ExitStack() as stack, pytest.MonkeyPatch.context() as mp:
        conns = {}
        for name in NAMES:
            running = importlib.import_module(f"simulators.{name}.stand_in").start(2023, work / name)
            stack.callback(running.stop)
            for k, v in running.env.items():
                mp.setenv(k, v)
            conns[name] = connection_from_env(get(name).conn_id)
        yield conns


@pytest.fixture()
def warehouse(db_url):
    def open_():
        return psycopg.connect(db_url)

    return open_


def run(name, conns, warehouse, landing, full_refresh=True, force=False):
    from extractors import runner

    source = get(name)
    ctx = RunContext(conns[name], landing, None, None, full_refresh, warehouse)
    extracted = runner.extract(source, ctx)
    with warehouse() as conn:
        loaded = runner.load(source, extracted["manifest"], conn, force_deletions=force)
    return extracted, loaded


def patch_write_record(name, monkeypatch, original, replacement) -> None:
    """Replace ``write_record`` in every module of the source's package (imported first:
    sources import their modules lazily)."""
    pkg = importlib.import_module(f"extractors.{name}")
    for mod in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"extractors.{name}.{mod.name}")
        if getattr(module, "write_record", None) is original:
            monkeypatch.setattr(module, "write_record", replacement)


def counts(warehouse, name) -> dict[str, tuple[int, int]]:
    """Per stream: rows, distinct keys."""
    out = {}
    with warehouse() as conn:
        for decl in get(name).streams:
            table = f"raw.{name}__{decl.name}"
            if conn.execute("select to_regclass(%s)", (table,)).fetchone()[0] is None:
                continue
            keys = ", ".join(decl.primary_key)
            out[decl.name] = conn.execute(f"select count(*), count(distinct ({keys})) from {table}").fetchone()
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_loads_twice_without_duplicates_and_attests_what_may_delete(name, stand_ins, warehouse, tmp_path):
    first, _ = run(name, stand_ins, warehouse, tmp_path)
    assert sum(s["rows"] for s in first["streams"].values()) > 0
    for decl in get(name).streams:
        if decl.mode != "append" and decl.name in first["streams"]:
            assert first["streams"][decl.name]["complete"] is True, f"{name}.{decl.name} proves its listing"
    before = counts(warehouse, name)
    assert all(rows == distinct for rows, distinct in before.values())
    _, again = run(name, stand_ins, warehouse, tmp_path)
    for stream, s in again["streams"].items():
        assert (s["inserted"], s["deleted"]) == (0, 0), f"{name}.{stream}: {s}"
    assert counts(warehouse, name) == before


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_malformed_record_is_quarantined_with_its_reason_and_the_rest_loads(
    name, stand_ins, warehouse, tmp_path, monkeypatch
):
    """The first record of every stream arrives with its first key field broken."""
    import extractors.common.streams as common

    original = common.write_record
    broken: dict[str, str] = {}

    def write_record(batch, stream, record, request, full_refresh=False):
        field = getattr(stream, "raw_key", stream.primary_key)[0]  # the key's field in the source's record
        if stream.name not in broken and isinstance(record, dict) and field in record:
            broken[stream.name] = field
            record = {**record, field: {"not": "a key"}}
        return original(batch, stream, record, request, full_refresh)

    patch_write_record(name, monkeypatch, original, write_record)
    extracted, loaded = run(name, stand_ins, warehouse, tmp_path)
    assert broken, f"{name}: no record went through write_record"
    with warehouse() as conn:
        reasons = dict(
            conn.execute(
                "select stream, string_agg(reason, ' | ') from raw._quarantine where source = %s group by stream",
                (name,),
            ).fetchall()
        )
    for stream, field in broken.items():
        assert field in reasons.get(stream, ""), f"{name}.{stream}: quarantined with a reason naming {field}"
        assert loaded["streams"][stream]["quarantined"] >= 1
    assert sum(s["inserted"] for s in loaded["streams"].values()) > 0


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_short_listing_is_refused_and_changes_nothing(name, stand_ins, warehouse, tmp_path, monkeypatch):
    from extractors.common import batch as batch_mod
    from loaders import CompletenessError

    run(name, stand_ins, warehouse, tmp_path)
    before = counts(warehouse, name)
    deleting = [d.name for d in get(name).streams if d.mode != "append"]
    if not deleting:
        pytest.skip(f"{name}: every stream is append-only; no listing can delete anything")
    # the listing of the first stream that may delete comes back one record short
    original = batch_mod._StreamFile.attest

    def short(self, **kw):
        if self.result.spec.table == f"{name}__{deleting[0]}":
            received = self.result.records + self.result.rejected
            kw.update(expected=received + 1, received=received)
        return original(self, **kw)

    monkeypatch.setattr(batch_mod._StreamFile, "attest", short)
    with pytest.raises(CompletenessError, match=f"{name}.{deleting[0]}"):
        run(name, stand_ins, warehouse, tmp_path)
    assert counts(warehouse, name) == before


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_its_state_round_trips(name, stand_ins, warehouse, tmp_path):
    extracted, loaded = run(name, stand_ins, warehouse, tmp_path)
    with warehouse() as conn:
        stored = dict(
            conn.execute("select stream, watermark from raw._watermarks where source = %s", (name,)).fetchall()
        )
    manifest = json.loads((Path(extracted["manifest"]) / "manifest.json").read_text())
    for stream, s in manifest["streams"].items():
        if s.get("watermark"):
            assert stored[stream] == __import__("datetime").datetime.fromisoformat(s["watermark"]), stream
    # the next incremental run starts from what was stored: it inserts nothing new
    _, again = run(name, stand_ins, warehouse, tmp_path, full_refresh=False)
    assert sum(s["inserted"] for s in again["streams"].values()) == 0, again


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_nul_surrogates_and_control_characters_are_cleaned_not_fatal(name, stand_ins, warehouse, tmp_path, monkeypatch):
    """HTTP JSON, IMAP, xlsx, file drops and the webhook spool: the first record of every
    stream arrives with a NUL, a lone surrogate (invalid UTF-8) and an escape character."""
    import extractors.common.streams as common

    original = common.write_record
    dirty: dict[str, tuple[str, str]] = {}

    def write_record(batch, stream, record, request, full_refresh=False):
        if stream.name not in dirty and isinstance(record, dict):
            keys = {*stream.primary_key, *getattr(stream, "raw_key", ()), stream.replication_key}
            for field, value in record.items():  # the first free-text field that stays valid when dirty
                if field in keys or not isinstance(value, str) or not value:
                    continue
                candidate = {**record, field: value + "\x00\ud800\x1b[0m"}
                try:
                    stream.schema.model_validate(candidate)
                except Exception:  # noqa: BLE001 - a typed field (a date, an id): try the next
                    continue
                dirty[stream.name] = (field, value)
                record = candidate
                break
        return original(batch, stream, record, request, full_refresh)

    patch_write_record(name, monkeypatch, original, write_record)
    _, loaded = run(name, stand_ins, warehouse, tmp_path)
    assert dirty, f"{name}: no free-text field to dirty"
    with warehouse() as conn:
        for stream, (field, value) in dirty.items():
            assert loaded["streams"][stream]["cleaned"] >= 1, f"{name}.{stream}"
            n = conn.execute(
                f"select count(*) from raw.{name}__{stream} where record->>%s = %s", (field, value + "\ufffd[0m")
            ).fetchone()[0]
            assert n >= 1, f"{name}.{stream}.{field}: the cleaned text is loaded"
