"""Employee advocacy: the stand-in reproduces the published snapshots, the extractor
reads its exports (NIP hashed, never landed), the loader merges re-exports and the
unknown UE1 code is quarantined with its reason."""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import psycopg
import pytest

from extractors.common.source import RunContext
from extractors.registry import get

NIP = re.compile(r"(?<![0-9a-zA-Z])\d{18}(?![0-9a-zA-Z])|\d{8} \d{6} \d \d{3}")


@pytest.fixture(scope="module")
def world():
    from simulators.employee_advocacy.world import generate

    return generate(2023)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The stand-in's folder, cut down to E01, E03 (with its late export), E04 (an unknown
    UE1), E07 (exported twice) and the reference files."""
    from simulators.employee_advocacy.stand_in import start

    running = start(2023, tmp_path_factory.mktemp("ea-full"))
    full = Path(running.info["folder"])
    small = tmp_path_factory.mktemp("ea-small")
    shutil.copytree(full / "referensi", small / "referensi")
    (small / "exports").mkdir()
    for p in (full / "exports").glob("*.csv"):
        if any(f"_EA23-{i}_" in p.name for i in ("01", "03", "04", "07")):
            shutil.copy(p, small / "exports" / p.name)
    running.stop()
    return small


def test_the_stand_in_reproduces_every_published_snapshot(world):
    from simulators.employee_advocacy.world import PLATFORMS, TYPES, snapshots

    latest = {}
    for _, _, rows in world.exports:
        for r in rows:
            latest[r.submission_id] = r
    by = defaultdict(list)
    for r in latest.values():
        if r.status == "valid" and r.ue1 != "DJPX":
            by[r.edition_id].append(r)
    eds = snapshots()["editions"]
    assert len(eds) == 25
    for ed in eds:
        rows = by[f"EA23-{ed['index']:02d}"]
        assert len({r.nip for r in rows}) == ed["realisasi_pegawai"], ed["id"]
        types = {k: len({r.nip for r in rows if r.activation_type == k}) for k in TYPES}
        plats = {k: len({r.nip for r in rows if r.platform == k}) for k in PLATFORMS}
        assert sum(types.values()) == ed["activations_total"], ed["id"]
        assert sum(plats.values()) == ed["social_media_total"], ed["id"]
        for k in TYPES:
            if ed["activations"][k] is not None and f"activations.{k}" not in ed["inconsistent"]:
                assert types[k] == ed["activations"][k], (ed["id"], k)
        for k in PLATFORMS:
            if ed["platforms"][k] is not None:
                assert plats[k] == ed["platforms"][k], (ed["id"], k)
        if ed.get("unlabeled_platform_values"):
            assert (
                sorted(plats.values(), reverse=True)[: len(ed["unlabeled_platform_values"])]
                == ed["unlabeled_platform_values"]
            ), ed["id"]


def test_the_mess_of_real_exports_is_there(world):
    names = [stem for stem, _, _ in world.exports]
    assert sum("_EA23-07_" in n for n in names) == 2, "a re-export"
    assert sum("_EA23-03_" in n for n in names) == 2 and any("_EA23-03_202312" in n for n in names), "a late export"
    rows = [r for _, _, rs in world.exports for r in rs]
    assert any(r.ue1 == "DJPX" for r in rows), "an unknown UE1"
    assert any(r.status == "rejected" for r in rows), "rows the programme rejected"
    quarters = {e["quarter"] for e in world.editions}
    assert "2024-Q1" in quarters and not any(t["quarter"] == "2024-Q1" for t in world.targets), (
        "an edition without a target"
    )
    for q in ("2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"):
        assert sum(h["employees"] for h in world.headcount if h["quarter"] == q) == 78754
    targets = {
        q: sum(t["target_employees"] for t in world.targets if t["quarter"] == q)
        for q in ("2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4")
    }
    assert targets == {"2023-Q1": 2801, "2023-Q2": 3990, "2023-Q3": 4167, "2023-Q4": 4345}


def test_the_nip_is_hashed_with_the_connection_key():
    from extractors.employee_advocacy.streams import nip_hash

    a = nip_hash("198503122010011003", b"k1")
    assert a == nip_hash("19850312 201001 1 003", b"k1") and re.fullmatch(r"[0-9a-f]{64}", a)
    assert a != nip_hash("198503122010011003", b"k2")
    assert nip_hash("12345", b"k1") is None


def test_the_connection_needs_a_folder_and_a_key():
    from airflow.models.connection import Connection

    from extractors.employee_advocacy import EmployeeAdvocacyConfig

    conn = Connection.from_json(
        json.dumps({"conn_type": "fs", "password": "s3cret", "extra": {"path": "/x"}}),
        conn_id="employee_advocacy_folder",
    )
    cfg = EmployeeAdvocacyConfig.from_connection(conn)
    assert cfg.nip_key == b"s3cret" and "s3cret" not in repr(cfg)
    with pytest.raises(ValueError, match="NIP hash key"):
        EmployeeAdvocacyConfig.from_connection(
            Connection.from_json(
                json.dumps({"conn_type": "fs", "extra": {"path": "/x"}}), conn_id="employee_advocacy_folder"
            )
        )


def test_extract_and_load_quarantines_the_unknown_ue1_and_lands_no_nip(folder, db_url, tmp_path):
    from airflow.models.connection import Connection

    from extractors import runner

    source = get("employee_advocacy")
    conn = Connection.from_json(
        json.dumps({"conn_type": "fs", "password": "test-key", "extra": {"path": str(folder)}}), conn_id=source.conn_id
    )

    def warehouse():
        return psycopg.connect(db_url)

    extracted = runner.extract(source, RunContext(conn, tmp_path, None, None, True, warehouse))
    streams = extracted["streams"]
    assert all(streams[s]["complete"] for s in ("participations", "editions", "targets", "headcount"))
    assert streams["participations"]["rejected"] == 1  # the DJPX row of E04
    landed = "".join(p.read_text(encoding="utf-8") for p in Path(extracted["manifest"]).rglob("*") if p.is_file())
    assert not NIP.search(landed), "no raw NIP in the landing files"
    with warehouse() as c:
        loaded = runner.load(source, extracted["manifest"], c)
    assert loaded["streams"]["participations"]["quarantined"] == 1
    with warehouse() as c:
        reason = c.execute(
            "select reason from raw._quarantine where source = 'employee_advocacy' and stream = 'participations'"
        ).fetchone()[0]
        assert "ue1" in reason and "UE1" in reason
        rows, keys = c.execute(
            "select count(*), count(distinct submission_id) from raw.employee_advocacy__participations"
        ).fetchone()
        assert rows == keys
        # E07 exported twice: merged by submission id, not doubled
        e07 = c.execute(
            "select count(*) from raw.employee_advocacy__participations where record->>'edition_id' = 'EA23-07'"
        ).fetchone()[0]
        distinct = c.execute(
            "select count(distinct record->>'nip_hash') from raw.employee_advocacy__participations "
            "where record->>'edition_id' = 'EA23-07' and record->>'validation_status' = 'Valid'"
        ).fetchone()[0]
        assert distinct == 10590 and e07 > distinct
        e03 = c.execute(
            "select count(distinct record->>'nip_hash') from raw.employee_advocacy__participations "
            "where record->>'edition_id' = 'EA23-03' and record->>'validation_status' = 'Valid'"
        ).fetchone()[0]
        assert e03 == 9236  # the late export completes E03
        dump = c.execute("select string_agg(record::text, '') from raw.employee_advocacy__participations").fetchone()[0]
        assert not NIP.search(dump), "no raw NIP in raw"
    with warehouse() as c:
        again = runner.load(
            source, runner.extract(source, RunContext(conn, tmp_path, None, None, True, warehouse))["manifest"], c
        )
    assert all((s["inserted"], s["deleted"]) == (0, 0) for s in again["streams"].values())


def test_an_incremental_run_reads_only_the_streams_whose_files_changed(folder, db_url, tmp_path):
    """Unchanged exports are not read again; a changed, added or removed file re-reads its stream whole
    (and reconciles it); a new NIP key re-reads everything; an unreadable file's stream is read again next time."""
    from airflow.models.connection import Connection

    from extractors import runner

    source = get("employee_advocacy")
    work = tmp_path / "folder"
    shutil.copytree(folder, work)

    def conn(key="test-key"):
        return Connection.from_json(
            json.dumps({"conn_type": "fs", "password": key, "extra": {"path": str(work)}}), conn_id=source.conn_id
        )

    def warehouse():
        return psycopg.connect(db_url)

    def run(full_refresh=False, key="test-key"):
        extracted = runner.extract(
            source, RunContext(conn(key), tmp_path / "landing", None, None, full_refresh, warehouse)
        )
        with warehouse() as c:
            loaded = runner.load(source, extracted["manifest"], c)
        return extracted["streams"], loaded["streams"]

    def rows(table):
        with warehouse() as c:
            return c.execute(f"select count(*) from raw.employee_advocacy__{table}").fetchone()[0]

    read, _ = run(full_refresh=True)
    files = sorted(p for p in work.rglob("*.csv"))
    assert set(read) == {"participations", "editions", "targets", "headcount", "files"}
    assert rows("files") == len(files)
    before = {t: rows(t) for t in ("participations", "editions", "targets", "headcount")}

    read, loaded = run()  # nothing changed: only the folder listing is written
    assert set(read) == {"files"} and loaded["files"]["inserted"] == loaded["files"]["updated"] == 0
    assert {t: rows(t) for t in before} == before

    export = next(p for p in files if "_EA23-01_" in p.name)
    lines = export.read_text(encoding="utf-8-sig").splitlines()
    export.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # the re-export lost its last row
    read, loaded = run()
    assert set(read) == {"participations", "files"}, read
    assert loaded["participations"]["deleted"] == 1 and loaded["files"]["updated"] == 1
    assert rows("participations") == before["participations"] - 1

    read, _ = run(key="another-key")  # every nip_hash changes: every stream is read again
    assert set(read) == {"participations", "editions", "targets", "headcount", "files"}

    edisi = next(p for p in files if p.name.lower().startswith("edisi"))
    saved = edisi.read_bytes()
    edisi.write_bytes(b"\xff\xfe not utf-8 \xff")
    with pytest.raises(Exception, match="(?i)incomplete|complete"):
        run(key="another-key")  # the stream is incomplete: the whole batch is refused
    edisi.write_bytes(saved)
    read, _ = run(key="another-key")
    assert "editions" not in read  # back to what was loaded: nothing to read
