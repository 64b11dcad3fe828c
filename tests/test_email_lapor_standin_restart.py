"""The Email Lapor stand-in keeps its mailbox identity across restarts.

Same seed and range: same UIDVALIDITY and same UIDs at every start, so the
extractor's second run (cursor from the warehouse) against a restarted stand-in
finds no new message. Other content, or ``migrate()``, gives another UIDVALIDITY.

Start time and memory of the full-range stand-in (what ``make run`` starts), first
start and restart: ``python -m bench.standins --only email_lapor``.
"""

from __future__ import annotations

import importlib
import json

import psycopg
import pytest

from extractors.common.source import RunContext
from extractors.registry import get
from extractors.runner import connection_from_env
from simulators.email_lapor import ImapStandIn
from simulators.email_lapor.server import uid_validity_for


def extract_and_load(db_url, landing, conn) -> dict:
    """One run as the DAG does it: the cursor from the warehouse, then load."""
    from extractors import runner

    source = get("email_lapor")
    ctx = RunContext(conn, landing, None, None, False, lambda: psycopg.connect(db_url))
    extracted = runner.extract(source, ctx)
    with psycopg.connect(db_url) as c:
        runner.load(source, extracted["manifest"], c)
    return extracted["streams"]


def stored(db_url) -> list[tuple]:
    with psycopg.connect(db_url) as c:
        return c.execute(
            "select record->>'uidvalidity', record->>'uid', record->>'raw_sha256' from raw.email_lapor__messages"
            " order by 1, 2"
        ).fetchall()


def uids(srv: ImapStandIn) -> dict[int, str]:
    """UID -> Message-ID header as the server has it."""
    out = {}
    with srv.client() as imap:
        imap.select(srv.mailbox, readonly=True)
        _, data = imap.uid("FETCH", "1:*", "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        for item in data:
            if isinstance(item, tuple):
                uid = int(item[0].split(b"UID ")[1].split()[0])
                out[uid] = item[1].strip().decode()
    return out


def run_twice(start_stand_in, db_url, tmp_path, monkeypatch):
    """Start, extract, stop; start again (same seed, same workdir), extract again."""
    seen = []
    for i in (1, 2):
        running = start_stand_in()
        try:
            for k, v in running.env.items():
                monkeypatch.setenv(k, v)
            srv_conn = connection_from_env(get("email_lapor").conn_id)
            streams = extract_and_load(db_url, tmp_path / f"landing{i}", srv_conn)
        finally:
            running.stop()
        seen.append((streams, stored(db_url)))
    return seen


def test_a_restarted_december_stand_in_is_the_same_mailbox(db_url, tmp_path, monkeypatch):
    from simulators.registry import RunningStandIn

    work = tmp_path / "imap"
    vals, ids = [], []

    def start():
        srv = ImapStandIn(seed=2023, start="2023-12-01", end="2024-01-01", workdir=work).start()
        vals.append(srv.uidvalidity())
        ids.append(uids(srv))
        env = {"AIRFLOW_CONN_EMAIL_LAPOR_IMAP": json.dumps(srv.connection())}
        return RunningStandIn("email_lapor", env, srv.stop)

    (first, rows1), (second, rows2) = run_twice(start, db_url, tmp_path, monkeypatch)
    assert vals[0] == vals[1]
    assert ids[0] == ids[1] and len(ids[0]) > 500
    assert first["messages"]["rows"] == len(ids[0])
    assert second["messages"]["rows"] == 0
    assert rows1 == rows2 and len(rows1) == len(ids[0])


def test_the_same_object_restarted_keeps_its_identity_and_migrate_changes_it(tmp_path):
    with ImapStandIn(seed=2023, start="2023-12-01", end="2024-01-01", workdir=tmp_path / "imap") as srv:
        v, before = srv.uidvalidity(), uids(srv)
        assert v == srv.expected_uidvalidity
        srv.stop()
        srv.start()
        assert srv.uidvalidity() == v and uids(srv) == before
        srv.migrate()
        assert srv.uidvalidity() != v and sorted(uids(srv).values()) == sorted(before.values())


def test_uidvalidity_changes_with_the_content():
    a = ImapStandIn(seed=2023, start="2023-12-01", end="2024-01-01")
    b = ImapStandIn(seed=2024, start="2023-12-01", end="2024-01-01")
    assert a.expected_uidvalidity == ImapStandIn(seed=2023, start="2023-12-01", end="2024-01-01").expected_uidvalidity
    assert a.expected_uidvalidity != b.expected_uidvalidity
    # the same messages in another order are other UIDs: another mailbox
    assert uid_validity_for(a.mails[::-1], a.username, a.mailbox) != a.expected_uidvalidity
    # one message fewer in the middle: UIDs after it mean other messages
    assert uid_validity_for(a.mails[:10] + a.mails[11:], a.username, a.mailbox) != a.expected_uidvalidity
    assert 0 < a.expected_uidvalidity < 2**32


@pytest.mark.slow
def test_make_run_stand_in_restarted_finds_no_new_message(db_url, tmp_path, monkeypatch):
    """The full-range stand-in as ``simulators.run`` starts it (~9,800 messages; the restart reuses the mailbox on disk)."""
    mod = importlib.import_module("simulators.email_lapor.stand_in")
    work = tmp_path / "stand-ins" / "email_lapor"
    (first, rows1), (second, rows2) = run_twice(lambda: mod.start(2023, work), db_url, tmp_path, monkeypatch)
    assert first["messages"]["rows"] > 9000
    assert second["messages"]["rows"] == 0
    assert rows1 == rows2
    assert len({r[0] for r in rows1}) == 1  # one UIDVALIDITY across both starts
