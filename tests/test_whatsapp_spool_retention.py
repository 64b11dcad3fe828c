"""The webhook spool's privacy (0700 folders, 0600 files) and retention (``prune_spool``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest

from extractors.whatsapp.spool import (
    LEDGER,
    LOCK,
    Spool,
    file_day,
    files_read,
    prune_spool,
    pruned_files,
    read_ledger,
    spool_files,
)

UTC = dt.UTC


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def delivery(n: int) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "statuses": [
                                    {
                                        "id": f"wamid.R{n}",
                                        "status": "sent",
                                        "timestamp": str(1702600000 + n),
                                        "recipient_id": "6281234567890",
                                    }
                                ]
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


def fill(spool_dir: Path, days: list[str]) -> dict[str, Path]:
    """One delivery per day, written by a real ``Spool`` whose clock says that day; each
    file's mtime is then set to its day, as if the receiver had last written it then."""
    clock = {"now": at(days[0])}
    spool = Spool(spool_dir, clock=lambda: clock["now"])
    try:
        for n, day in enumerate(days):
            clock["now"] = at(day, 23)
            spool.append(delivery(n))
    finally:
        spool.close()
    files = {}
    for day in days:
        path = spool_dir / f"webhooks-{day.replace('-', '')}.jsonl"
        t = at(day, 23).timestamp()
        os.utime(path, (t, t))
        files[day] = path
    return files


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- privacy -----------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_a_new_spool_is_0700_and_its_files_0600_whatever_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        spool = Spool(tmp_path / "a" / "spool")
        try:
            spool.append(delivery(1))
        finally:
            spool.close()
    finally:
        os.umask(old)
    spool_dir = tmp_path / "a" / "spool"
    assert mode(spool_dir) == 0o700
    assert [mode(p) for p in spool_files(spool_dir)] == [0o600]
    assert mode(spool_dir / LOCK) == 0o600


def test_an_existing_spool_open_to_others_is_reported_and_left_as_it_is(tmp_path, caplog):
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir(mode=0o755)
    os.chmod(spool_dir, 0o755)
    (spool_dir / "webhooks-20231201.jsonl").write_bytes(b"")
    os.chmod(spool_dir / "webhooks-20231201.jsonl", 0o644)
    with caplog.at_level("WARNING", logger="extractors.whatsapp.spool"):
        Spool(spool_dir).close()
    assert "readable by other users" in caplog.text and "chmod 700" in caplog.text
    assert mode(spool_dir) == 0o755  # an operator's setting (e.g. a group that reads it) is not changed


def test_the_running_receiver_writes_a_private_spool(tmp_path):
    import requests

    from extractors.whatsapp.signature import HEADER, sign
    from simulators.whatsapp.stand_in import Receiver

    with Receiver(tmp_path / "spool", tmp_path / "receiver.log") as rec:
        body = delivery(7)
        assert requests.post(rec.url, data=body, headers={HEADER: sign(rec.app_secret, body)}, timeout=10).ok
    assert mode(tmp_path / "spool") == 0o700
    assert {mode(p) for p in (tmp_path / "spool").iterdir()} == {0o600}


# --- retention ---------------------------------------------------------------------------------


def test_a_loaded_full_refresh_lets_old_days_go_and_keeps_the_recent_ones(tmp_path):
    days = ["2023-12-01", "2023-12-02", "2023-12-03", "2023-12-10", "2023-12-14", "2023-12-15"]
    files = fill(tmp_path, days)
    # the extract began on 15 Dec at 06:00; 15 Dec was still being written, the others were complete
    deleted = prune_spool(
        tmp_path, extracted_at=at("2023-12-15", 6), read_from=None, keep_days=7, now=at("2023-12-15", 7)
    )
    assert deleted == [files["2023-12-01"], files["2023-12-02"], files["2023-12-03"]]
    assert [file_day(p).isoformat() for p in spool_files(tmp_path)] == ["2023-12-10", "2023-12-14", "2023-12-15"]
    ledger = read_ledger(tmp_path)
    assert "webhooks-20231215.jsonl" not in ledger  # the day had not ended: not read in full
    assert "deleted_at" not in ledger["webhooks-20231210.jsonl"]  # read in full, kept: too recent
    assert pruned_files(tmp_path) == ["webhooks-20231201.jsonl", "webhooks-20231202.jsonl", "webhooks-20231203.jsonl"]
    assert mode(tmp_path / LEDGER) == 0o600
    assert (tmp_path / LOCK).exists()  # not a spool file: never touched


def test_a_file_no_successful_extract_read_is_kept_however_old(tmp_path):
    files = fill(tmp_path, ["2023-11-01", "2023-12-12", "2023-12-13"])
    # an incremental run read from 12 Dec on: 1 Nov was never read (say, the runs that should have failed)
    deleted = prune_spool(
        tmp_path, extracted_at=at("2023-12-14", 1), read_from=at("2023-12-12", 0), keep_days=0, now=at("2023-12-14", 2)
    )
    assert files["2023-11-01"] not in deleted and files["2023-11-01"].exists()
    assert deleted == [files["2023-12-12"], files["2023-12-13"]]  # keep_days=0: read in full is enough
    assert "webhooks-20231101.jsonl" not in read_ledger(tmp_path)


def test_daily_incremental_runs_delete_each_day_a_week_after_it_was_read(tmp_path):
    """Each run reads only two days back, yet every day goes once it is a week old: what was
    read in full is remembered between runs."""
    days = [(dt.date(2023, 12, 1) + dt.timedelta(days=i)).isoformat() for i in range(20)]
    files = fill(tmp_path, days)
    gone_on = {}
    for run in range(2, 20):
        start = at(days[run], 0) + dt.timedelta(minutes=15)  # the daily 00:15 UTC run of day `run`
        for p in prune_spool(
            tmp_path,
            extracted_at=start,
            read_from=start - dt.timedelta(days=2),
            keep_days=7,
            now=start + dt.timedelta(minutes=5),
        ):
            gone_on[file_day(p).isoformat()] = days[run]
    # day d ends at d+1 00:00; a week later is d+8 00:00, the run of day d+8 deletes it
    assert gone_on == {d: (dt.date.fromisoformat(d) + dt.timedelta(days=8)).isoformat() for d in days[:12]}
    assert all(files[d].exists() for d in days[12:])  # the last run was on 20 Dec: 12 Dec went then


def test_a_run_that_failed_records_nothing_and_a_later_one_only_what_it_read(tmp_path):
    files = fill(tmp_path, ["2023-12-01", "2023-12-02", "2023-12-03", "2023-12-04"])
    # the run of 3 Dec failed (no prune call); the run of 5 Dec read from 3 Dec on
    prune_spool(
        tmp_path, extracted_at=at("2023-12-05", 0), read_from=at("2023-12-03", 0), keep_days=7, now=at("2023-12-05", 1)
    )
    assert sorted(read_ledger(tmp_path)) == ["webhooks-20231203.jsonl", "webhooks-20231204.jsonl"]
    deleted = prune_spool(
        tmp_path, extracted_at=at("2024-01-01", 0), read_from=at("2023-12-31", 0), keep_days=7, now=at("2024-01-01", 1)
    )
    assert deleted == [files["2023-12-03"], files["2023-12-04"]]
    assert files["2023-12-01"].exists() and files["2023-12-02"].exists()  # nobody ever read them in full


def test_a_file_written_after_the_extract_began_is_not_taken_as_read(tmp_path):
    files = fill(tmp_path, ["2023-12-01", "2023-12-02"])
    late = at("2023-12-05", 3).timestamp()  # a late write (say, a clock set back) after the extract began
    os.utime(files["2023-12-01"], (late, late))
    deleted = prune_spool(
        tmp_path, extracted_at=at("2023-12-05", 0), read_from=None, keep_days=1, now=at("2023-12-05", 4)
    )
    assert deleted == [files["2023-12-02"]]
    assert files["2023-12-01"].exists() and "webhooks-20231201.jsonl" not in read_ledger(tmp_path)


def test_a_file_changed_since_it_was_read_in_full_is_kept(tmp_path, caplog):
    files = fill(tmp_path, ["2023-12-01", "2023-12-02"])
    prune_spool(tmp_path, extracted_at=at("2023-12-03", 0), read_from=None, keep_days=7, now=at("2023-12-03", 1))
    with open(files["2023-12-01"], "ab") as fh:  # appended after it was recorded
        fh.write(b'{"sha256": "x", "received_at": null, "body": "{}"}\n')
    with caplog.at_level("WARNING", logger="extractors.whatsapp.spool"):
        deleted = prune_spool(
            tmp_path,
            extracted_at=at("2023-12-20", 0),
            read_from=at("2023-12-19", 0),
            keep_days=7,
            now=at("2023-12-20", 1),
        )
    assert deleted == [files["2023-12-02"]]
    assert files["2023-12-01"].exists() and "changed since it was read in full" in caplog.text


def test_only_spool_day_files_are_ever_deleted(tmp_path):
    fill(tmp_path, ["2023-12-01"])
    others = [tmp_path / "webhooks-latest.jsonl", tmp_path / "notes.txt", tmp_path / "webhooks-20231201.jsonl.bak"]
    for p in others:
        p.write_text("x\n")
        os.utime(p, (0, 0))
    assert (
        len(prune_spool(tmp_path, extracted_at=at("2024-02-01"), read_from=None, keep_days=7, now=at("2024-02-01")))
        == 1
    )
    assert all(p.exists() for p in others) and (tmp_path / LOCK).exists()
    assert files_read(tmp_path, at("2024-01-01")) == [tmp_path / "webhooks-latest.jsonl"]  # the extract's own rule


def test_bad_arguments_and_a_broken_ledger_delete_nothing(tmp_path):
    files = fill(tmp_path, ["2023-12-01"])
    with pytest.raises(ValueError, match="keep_days"):
        prune_spool(tmp_path, extracted_at=at("2024-01-01"), read_from=None, keep_days=-1)
    (tmp_path / LEDGER).write_text("{not json")
    with pytest.raises(ValueError, match="unreadable"):
        prune_spool(tmp_path, extracted_at=at("2024-01-01"), read_from=None, keep_days=1, now=at("2024-01-02"))
    assert files["2023-12-01"].exists()
    assert prune_spool(tmp_path / "nowhere", extracted_at=at("2024-01-01"), read_from=None) == []


def test_after_a_real_extract_and_load_the_spool_is_pruned_and_raw_keeps_everything(tmp_path, landing, conn):
    """The call the task makes: extract (time taken before it), load, then prune with the manifest's read_from."""
    from extractors.common.batch import read_manifest
    from extractors.whatsapp import WhatsappConfig, run_extract
    from loaders import load_batch

    spool_dir = tmp_path / "spool"
    files = fill(spool_dir, ["2023-12-01", "2023-12-02", "2023-12-03"])
    extracted_at = dt.datetime.now(UTC)
    batch = run_extract(WhatsappConfig(spool_dir), landing, full_refresh=True)
    load_batch(conn, batch.folder)
    read_from = read_manifest(batch.folder)["window"]["read_from"]
    deleted = prune_spool(spool_dir, extracted_at=extracted_at, read_from=read_from, keep_days=7)
    assert deleted == list(files.values())  # all three days ended long before the extract began
    assert conn.execute("select count(*) from raw.whatsapp__statuses").fetchone()[0] == 3
    assert pruned_files(spool_dir) == sorted(p.name for p in files.values())


def test_a_day_file_made_again_after_its_deletion_is_kept_until_read_in_full_again(tmp_path):
    files = fill(tmp_path, ["2023-12-01"])
    assert prune_spool(tmp_path, extracted_at=at("2023-12-10"), read_from=None, keep_days=7, now=at("2023-12-10")) == [
        files["2023-12-01"]
    ]
    files["2023-12-01"].write_text('{"sha256": "y", "received_at": null, "body": "{}"}\n')  # a late write
    late = at("2023-12-11").timestamp()
    os.utime(files["2023-12-01"], (late, late))
    assert (
        prune_spool(tmp_path, extracted_at=at("2023-12-11", 0), read_from=None, keep_days=7, now=at("2023-12-11", 1))
        == []
    )  # written after that extract began
    assert files["2023-12-01"].exists() and pruned_files(tmp_path) == ["webhooks-20231201.jsonl"]
    assert prune_spool(tmp_path, extracted_at=at("2023-12-12"), read_from=None, keep_days=7, now=at("2023-12-12")) == [
        files["2023-12-01"]
    ]
    assert pruned_files(tmp_path) == ["webhooks-20231201.jsonl"]
