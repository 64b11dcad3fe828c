"""The Email Lapor stand-in writes its mailbox to disk once and a restart reuses it.

A fresh stand-in with the same scenario and workdir neither generates nor writes the
mailbox again (the index in the workdir names it), yet serves the same messages
under the same UIDVALIDITY and UIDs; a mailbox changed while served (new mail,
``\\Seen``) or another scenario is written anew. What a client reads is the
generated message byte for byte, with INTERNALDATE the received time in +0700.

Start time and memory, per stand-in, cold and restarted: ``python -m bench.standins``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import imaplib
import re

from simulators.email_lapor import ImapStandIn
from simulators.scenario.world import LOCAL_TZ

DEC = {"seed": 2023, "start": "2023-12-01", "end": "2024-01-01"}


def fetch_all(srv: ImapStandIn) -> dict[int, tuple[str, int, str]]:
    """UID -> (INTERNALDATE, RFC822.SIZE, sha256 of BODY[])."""
    out = {}
    with srv.client() as imap:
        imap.select(srv.mailbox, readonly=True)
        _, data = imap.uid("FETCH", "1:*", "(UID INTERNALDATE RFC822.SIZE BODY.PEEK[])")
        for item in data:
            if isinstance(item, tuple):
                meta = item[0].decode()
                uid = int(re.search(r"UID (\d+)", meta).group(1))
                date = re.search(r'INTERNALDATE "([^"]+)"', meta).group(1)
                size = int(re.search(r"RFC822.SIZE (\d+)", meta).group(1))
                out[uid] = (date, size, hashlib.sha256(item[1]).hexdigest())
    return out


def test_a_restart_reuses_the_mailbox_on_disk(tmp_path):
    work = tmp_path / "imap"
    with ImapStandIn(**DEC, workdir=work) as first:
        served = fetch_all(first)
        v = first.uidvalidity()
        mails = first.mails
    files = {p: p.stat().st_mtime_ns for p in (work / "maildir").glob("mail-*/**/*") if p.is_file()}
    assert len(files) > len(mails)  # one per message, and dovecot-uidlist
    with ImapStandIn(**DEC, workdir=work) as again:
        assert again._mails is None  # noqa: SLF001 - nothing generated for the restart
        assert again.uidvalidity() == v and again.delivered == len(mails)
        assert fetch_all(again) == served
    assert {p: p.stat().st_mtime_ns for p in files} == files  # the mailbox not rewritten (the login is)
    # what a client reads is the generated message (CRLF line ends) and its received time
    for i, m in enumerate(mails):
        date, size, digest = served[101 + i]
        raw = re.sub(rb"(?<!\r)\n", b"\r\n", m.raw)
        assert (size, digest) == (len(raw), hashlib.sha256(raw).hexdigest())
        assert date == imaplib.Time2Internaldate(m.received_at.astimezone(LOCAL_TZ)).strip('"')


def test_a_mailbox_changed_while_served_is_written_again(tmp_path):
    work = tmp_path / "imap"
    half = dt.datetime(2023, 12, 16, tzinfo=dt.UTC)
    with ImapStandIn(**DEC, workdir=work, as_of=half) as srv:
        before = srv.delivered
        assert srv.deliver(dt.datetime(2023, 12, 20, tzinfo=dt.UTC)) > 0
        grown = fetch_all(srv)
        srv.mark_seen([101])
    # the same scenario again: the mailbox on disk differs from its index, so it is rebuilt
    with ImapStandIn(**DEC, workdir=work, as_of=half) as again:
        assert again.delivered == before
        assert len(fetch_all(again)) == before < len(grown)
        assert again.flags()[101] == set()
    # another as_of is another mailbox
    with ImapStandIn(**DEC, workdir=work) as full:
        assert full.delivered == len(full.mails) > len(grown)
