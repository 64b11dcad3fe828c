"""The Email Lapor extractor against a real IMAP server (pymap) and a real PostgreSQL.

Incremental pulls by UID with the cursor kept in the warehouse, a UIDVALIDITY
change, flags left untouched, metadata only (no body, no attachment byte in the
warehouse), login and network faults.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import logging

import psycopg
import pytest

from extractors.common.batch import MANIFEST
from extractors.common.http import AuthError, RetryPolicy
from extractors.email_lapor import ImapConfig, read_state, run_extract
from extractors.email_lapor.client import parse_fetch, parse_internaldate
from loaders import load_batch
from simulators.email_lapor import ImapStandIn, free_port
from simulators.scenario.world import LOCAL_TZ

HALF = dt.datetime(2023, 12, 15, tzinfo=LOCAL_TZ)
FAST = RetryPolicy(attempts=3, initial=0.01, max_backoff=0.05, jitter=0.01)


@pytest.fixture()
def server(tmp_path):
    """December 2023's mail, the first half delivered."""
    with ImapStandIn(start="2023-12-01", end="2024-01-01", as_of=HALF, workdir=tmp_path / "imap") as srv:
        yield srv


def config(srv: ImapStandIn, **kw) -> ImapConfig:
    c = srv.connection()
    kw.setdefault("password", c["password"])
    return ImapConfig(
        host=c["host"],
        port=c["port"],
        username=c["login"],
        mailbox=c["extra"]["mailbox"],
        security="none",
        retry=FAST,
        **kw,
    )


def pull(srv, landing, db_url=None, **kw):
    """Extract with the cursor read from the warehouse, then load (each on its own connection, as the DAG does)."""
    cfg = config(srv)
    state = None
    if db_url is not None:
        with psycopg.connect(db_url) as conn:
            state = read_state(conn, cfg.mailbox_key)
    batch = run_extract(cfg, landing, state, **kw)
    if db_url is not None:
        with psycopg.connect(db_url) as conn:
            load_batch(conn, batch.folder)
    return batch


def query(db_url, sql):
    with psycopg.connect(db_url) as conn:
        return conn.execute(sql).fetchall()


def records(batch, stream="messages") -> list[dict]:
    with open(batch.folder / f"{stream}.csv", newline="") as fh:
        return [json.loads(row["record"]) for row in csv.DictReader(fh)]


def test_first_pull_reads_every_message_as_metadata(server, landing):
    batch = pull(server, landing)
    recs = records(batch)
    delivered = server.mails[: server.delivered]
    assert len(recs) == len(delivered) and batch.streams["messages"].rejected == 0
    assert batch.window["reset_reason"].startswith("no state")
    by_uid = sorted(recs, key=lambda r: r["uid"])
    for rec, mail in zip(by_uid, delivered, strict=False):  # APPENDed in delivery order: UIDs ascend with it
        assert dt.datetime.fromisoformat(rec["received_at"]) == mail.received_at
        assert rec["received_at_source"] == "internaldate"
        assert rec["message_id"] == mail.message_id
        assert rec["sender_address"] == mail.sender and rec["sender_domain"] == mail.sender.split("@")[1]
        assert rec["is_spam"] is mail.is_spam
        assert [(a["filename"], a["size"]) for a in rec["attachments"]] == [(n, len(b)) for n, b in mail.attachments]
        assert set(rec) >= {"uidvalidity", "uid", "subject", "raw_sha256", "size"}
    # MIME encoded words and RFC 2231 file names come back decoded
    assert any("\u2013" in (r["subject"] or "") for r in recs) or any(
        not (a["filename"] or "").isascii() for r in recs for a in r["attachments"]
    )
    state = records(batch, "mailbox_state")[0]
    assert state["uidvalidity"] == server.uidvalidity() and state["last_uid"] == max(r["uid"] for r in recs)


def test_incremental_pull_reads_only_new_uids_with_the_cursor_in_the_warehouse(server, landing, db_url):
    first = pull(server, landing, db_url)
    last_uid = records(first, "mailbox_state")[0]["last_uid"]
    with psycopg.connect(db_url) as conn:
        assert read_state(conn, config(server).mailbox_key).last_uid == last_uid

    new = server.deliver()  # the second half of December arrives
    second = pull(server, landing, db_url)
    recs = records(second)
    assert new > 0 and len(recs) == new
    assert min(r["uid"] for r in recs) == last_uid + 1
    assert second.window["first_uid"] == last_uid + 1 and second.window["reset_reason"] is None
    assert all(req.startswith(f"UID FETCH {last_uid + 1}") for req in {_request(second)})

    # nothing new: "n:*" still answers the highest UID (RFC 3501), which must not be read again
    third = pull(server, landing, db_url)
    assert records(third) == [] and third.streams["messages"].records == 0
    total = query(db_url, "select count(*), count(distinct (uidvalidity, uid)) from raw.email_lapor__messages")
    assert total == [(server.delivered, server.delivered)]


def _request(batch) -> str:
    with open(batch.folder / "messages.csv", newline="") as fh:
        return next(csv.DictReader(fh))["_request"]


def test_uidvalidity_change_rereads_the_whole_mailbox(server, landing, db_url):
    first = pull(server, landing, db_url)
    old_validity = records(first, "mailbox_state")[0]["uidvalidity"]
    server.migrate()  # same messages on a new server: new UIDVALIDITY, UIDs from the start
    assert server.uidvalidity() != old_validity

    second = pull(server, landing, db_url)
    recs = records(second)
    assert second.window["reset_reason"] == f"UIDVALIDITY changed from {old_validity} to {server.uidvalidity()}"
    assert second.window["first_uid"] == 1 and len(recs) == server.delivered
    assert {r["uidvalidity"] for r in recs} == {server.uidvalidity()}
    # both generations are kept under their own keys; the same Message-IDs let staging count each once
    assert {r["message_id"] for r in recs} == {r["message_id"] for r in records(first)}
    rows = query(db_url, "select uidvalidity, count(*) from raw.email_lapor__messages group by 1")
    assert sorted(n for _, n in rows) == [server.delivered, server.delivered]
    with psycopg.connect(db_url) as conn:
        assert read_state(conn, config(server).mailbox_key).uidvalidity == server.uidvalidity()


def test_reading_never_changes_flags(server, landing):
    uids = sorted(server.flags())
    server.mark_seen(uids[::3])  # a person has already read every third message
    before = server.flags()
    assert sum("\\Seen" in f for f in before.values()) == len(uids[::3])
    batch = pull(server, landing)
    assert batch.streams["messages"].records == len(uids)
    assert server.flags() == before  # nothing newly \Seen, nothing un-Seen


def test_no_body_and_no_attachment_byte_reaches_the_warehouse(server, landing, db_url):
    pull(server, landing, db_url)
    dump = "\n".join(
        json.dumps(row[0], ensure_ascii=False)
        for table in ("raw.email_lapor__messages", "raw.email_lapor__mailbox_state", "raw._quarantine", "raw._batches")
        for row in query(db_url, f"select to_jsonb(t) from {table} t")
    )
    mails = server.mails[: server.delivered]
    attachments = [data for m in mails for _, data in m.attachments]
    assert attachments
    for data in attachments:
        assert base64.b64encode(data[:48]).decode() not in dump  # the first base64 line of the attachment
        assert data[:16].hex() not in dump
    assert "Bersama ini kami sampaikan" not in dump and "Hormat kami" not in dump
    # what is kept: the hashes and sizes of the attachments
    recs = [r[0] for r in query(db_url, "select record from raw.email_lapor__messages")]
    import hashlib

    assert {a["sha256"] for r in recs for a in r["attachments"]} == {hashlib.sha256(d).hexdigest() for d in attachments}


def test_spam_and_redeliveries_are_marked_for_staging(landing, tmp_path):
    with ImapStandIn(start="2023-11-01", end="2023-12-01", workdir=tmp_path / "imap") as srv:
        recs = records(pull(srv, landing))
    spam = [m for m in srv.mails if m.is_spam]
    dups = [m for m in srv.mails if m.is_duplicate]
    assert spam and dups
    assert sum(r["is_spam"] for r in recs) == len(spam)
    ids = [r["message_id"] for r in recs if r["message_id"]]
    assert len(ids) - len(set(ids)) == len(dups)  # the same Message-ID, delivered again


def test_wrong_password_fails_at_once_and_never_shows_it(server, landing, caplog):
    cfg = config(server, password="not-the-password-7f3a")
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthError, match="login refused") as exc:
        run_extract(cfg, landing, None)
    assert "not-the-password-7f3a" not in str(exc.value) + caplog.text
    assert "not-the-password-7f3a" not in repr(cfg) + repr(cfg.client())
    assert not list(landing.rglob(MANIFEST))


def test_unreachable_server_is_retried_then_fails_and_commits_nothing(landing, caplog):
    cfg = ImapConfig(host="127.0.0.1", port=free_port(), username="u", password="p", security="none", retry=FAST)
    with caplog.at_level(logging.WARNING), pytest.raises(OSError):
        run_extract(cfg, landing, None)
    assert caplog.text.count("retrying") == FAST.attempts - 1
    assert not list(landing.rglob(MANIFEST))


def test_fetch_answers_are_parsed_whatever_the_attribute_order():
    data = [
        (b'1 (UID 7 INTERNALDATE " 4-Dec-2023 09:12:00 +0700" RFC822.SIZE 5 BODY[] {5}', b"hello"),
        b")",
        (b'2 (INTERNALDATE "31-Dec-2023 23:59:59 -0300" BODY[] {3}', b"bye"),
        b" UID 9 RFC822.SIZE 3)",
        b"3 (UID 10 FLAGS (\\Seen))",  # an unsolicited flag update carries no message
    ]
    got = list(parse_fetch(data))
    assert [(f.uid, f.size, f.raw) for f in got] == [(7, 5, b"hello"), (9, 3, b"bye")]
    assert got[0].internaldate == dt.datetime(2023, 12, 4, 2, 12, tzinfo=dt.UTC)
    assert got[1].internaldate.astimezone(dt.UTC) == dt.datetime(2024, 1, 1, 2, 59, 59, tzinfo=dt.UTC)
    assert parse_internaldate(b'INTERNALDATE "04-Foo-2023 09:12:00 +0700"') is None
