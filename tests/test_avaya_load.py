"""Avaya files into a real PostgreSQL: quarantine, load-once, corrected versions (staging by dbt)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from extractors.avaya import AvayaConfig, loaded_files, run_extract
from extractors.avaya.folders import LocalFolder
from loaders import load_batch
from simulators.avaya import AvayaStandIn, cdr_name, hsplit_name
from tests.conftest import provision_pseudonym_key
from tests.helpers import dbt as run_dbt

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("avaya__files", "avaya__hsplit", "avaya__hagent", "avaya__cdr")


@pytest.fixture()
def drop(tmp_path) -> AvayaStandIn:
    return AvayaStandIn(tmp_path / "drop", seed=2023, start="2023-12-01", end="2024-01-01", mess=False).write()


def extract_and_load(conn, drop, landing, full_refresh=False):
    conn.commit()  # end the test's own read transaction: the loader's transaction must be a real one
    batch = run_extract(AvayaConfig(LocalFolder(drop.folder)), landing, loaded_files(conn), full_refresh=full_refresh)
    return batch, load_batch(conn, batch.folder)


def snapshot(conn) -> dict:
    return {
        t: conn.execute(f"select count(*), max(_loaded_at), count(distinct _batch_id) from raw.{t}").fetchone()
        for t in TABLES
    }


def test_a_bad_cdr_line_is_quarantined_with_file_line_and_reason_while_the_rest_load(conn, drop, tmp_path):
    name = cdr_name(dt.date(2023, 12, 4))
    lines = drop.lines(name)
    drop.replace_line(name, 2, lines[1][:60])  # a record the collector cut short
    _, result = extract_and_load(conn, drop, tmp_path / "landing")
    assert result.streams["cdr"].quarantined == 1
    q = conn.execute(
        "select stream, record_key, reason, record ->> 'raw_record', record ->> 'line_no' "
        "from raw._quarantine where source = 'avaya'"
    ).fetchall()
    assert q == [
        (
            "cdr",
            f"{name}:2",
            "record has 60 characters, the djpk-customized layout has 123 (truncated or garbled record)",
            lines[1][:60],
            "2",
        )
    ]
    loaded = conn.execute(
        "select count(*) from raw.avaya__cdr where record ->> 'source_file' = %s", (name,)
    ).fetchone()[0]
    assert loaded == len(lines) - 2  # every record but the bad one (and the trailer)
    expected = sum(1 for m in drop.world.months for _ in m.cdr)
    assert conn.execute("select count(*) from raw.avaya__cdr").fetchone()[0] == expected - 1


def test_each_file_is_loaded_once_and_a_rerun_changes_nothing(conn, drop, tmp_path):
    extract_and_load(conn, drop, tmp_path / "landing")
    before = snapshot(conn)
    assert before["avaya__files"][0] == len(drop.files)
    batch, result = extract_and_load(conn, drop, tmp_path / "landing")
    assert batch.window["files_read"] == 0 and batch.window["files_skipped"] == len(drop.files)
    assert all(s.inserted == s.updated == 0 for s in result.streams.values())
    assert snapshot(conn) == before  # same rows, same _loaded_at, same batches
    # a reconcile reads every file again and still changes nothing
    _, result = extract_and_load(conn, drop, tmp_path / "landing", full_refresh=True)
    assert result.streams["hsplit"].unchanged == before["avaya__hsplit"][0]
    assert snapshot(conn) == before


def dbt(db_url: str, target: Path, *args: str) -> subprocess.CompletedProcess:
    provision_pseudonym_key(db_url)
    res = run_dbt(db_url, *args, target=target)
    assert res.returncode == 0, res.stdout[-4000:]
    return res


def test_a_corrected_file_version_replaces_its_rows(conn, db_url, drop, tmp_path):
    extract_and_load(conn, drop, tmp_path / "landing")
    day = dt.date(2023, 12, 4)
    # CMS re-exports the day: one interval corrected, one interval gone
    hsplit = hsplit_name(day)
    text = drop.path(hsplit).read_text()
    header, *rows = text.splitlines()
    busy = next(r for r in rows if r.split(",")[4] == "1" and int(r.split(",")[6]) > 0)  # an interval with calls
    fields = busy.split(",")
    fields[5], fields[10] = str(int(fields[5]) + 2), str(int(fields[10]) + 2)  # two more offered, both abandoned
    corrected = [",".join(fields) if r == busy else r for r in rows]
    gone = corrected.pop(0)  # 07:00, split 1
    drop.path(hsplit).write_text("\r\n".join([header, *corrected]) + "\r\n")
    # the collector's day file is re-sent without its first record
    cdr = cdr_name(day)
    lines = drop.lines(cdr)
    dropped = lines[0]
    drop.path(cdr).write_bytes(("\r\n".join(lines[1:-1] + [f"#EOF records={len(lines) - 2}"]) + "\r\n").encode())

    batch, _ = extract_and_load(conn, drop, tmp_path / "landing")
    assert sorted(_names(batch)) == sorted([hsplit, cdr])  # only the two new versions are read
    new_sha = conn.execute(
        "select record ->> 'sha256' from raw.avaya__files where file_name = %s", (hsplit,)
    ).fetchone()[0]
    stale = conn.execute(
        "select count(*) from raw.avaya__hsplit where record ->> 'file_sha256' <> %s and record ->> 'source_file' = %s",
        (new_sha, hsplit),
    ).fetchone()[0]
    assert stale == 1  # raw keeps the row the new version no longer has ...

    dbt(db_url, tmp_path, "run", "--select", "stg_avaya__files", "stg_avaya__split_intervals", "stg_avaya__cdr_records")
    # ... staging does not: only the current version of each file counts
    g = gone.split(",")  # row_date, starttime, intrvl, acd, split, ...
    assert (
        conn.execute(
            "select count(*) from staging.stg_avaya__split_intervals where row_date = %s and starttime = %s "
            "and split = %s",
            (g[0], int(g[1]), int(g[4])),
        ).fetchone()[0]
        == 0
    )
    row = conn.execute(
        "select calls_offered, abandoned_calls, source_file from staging.stg_avaya__split_intervals "
        "where row_date = %s and starttime = %s and split = 1",
        (fields[0], int(fields[1])),
    ).fetchone()
    assert row == (int(fields[5]), int(fields[10]), hsplit)
    day_rows = conn.execute(
        "select count(*) from staging.stg_avaya__split_intervals where row_date = %s", (day,)
    ).fetchone()[0]
    assert day_rows == len(rows) - 1
    assert (
        conn.execute("select count(*) from staging.stg_avaya__cdr_records where source_file = %s", (cdr,)).fetchone()[0]
        == len(lines) - 2
    )
    ucid = dropped[-20:].strip()
    assert (
        conn.execute(
            "select count(*) from staging.stg_avaya__cdr_records where ucid = %s and cond_code = %s",
            (ucid, dropped[18]),
        ).fetchone()[0]
        == 0
    )


def _names(batch) -> list[str]:
    import csv
    import json

    with open(batch.folder / "files.csv", newline="") as fh:
        return [json.loads(r["record"])["file_name"] for r in csv.DictReader(fh)]
