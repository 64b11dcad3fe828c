"""The WhatsApp extract's streaming paths (issue #15, part 3): keys deduplicated on disk,
msgspec parsing with json's semantics, the batch's fast write path giving the old output."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
import stat
import sys

import pytest

from extractors.common import batch as batch_mod
from extractors.common.batch import Batch, clean
from extractors.whatsapp import WhatsappConfig, run_extract, streams as wa_streams
from extractors.whatsapp.spool import Spool, decode

WA = "6281234567890"


def _delivery(*items: dict, statuses: tuple = ()) -> bytes:
    value = {"messaging_product": "whatsapp", "messages": list(items), "statuses": list(statuses)}
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()


def _msg(wamid: str, ts: int = 1702500000, **extra) -> dict:
    return {"from": WA, "id": wamid, "timestamp": str(ts), "type": "text", "text": {"body": "Halo"}, **extra}


@pytest.mark.parametrize(
    "text",
    [
        b'{"a":1,"a":2}',
        b'"\\ud800"',  # a lone surrogate escape: msgspec refuses, json accepts
        b"NaN",
        b"1E400",
        b"123456789012345678901234567890",
        b'{"x":"\\u0000","y":[1,2.5,null,true,-0.0]}',
        b'"\\ud83d\\ude00"',
        b"  {}  \n",
    ],
)
def test_decode_accepts_and_returns_what_json_loads_does(text):
    assert repr(decode(text)) == repr(json.loads(text))


@pytest.mark.parametrize("text", [b"not json", b'{"a":', b'"\xe9"', b"", b"[1,]"])
def test_decode_refuses_what_json_loads_refuses_with_jsons_reason(text):
    with pytest.raises(ValueError) as ours:
        decode(text)
    with pytest.raises(ValueError) as theirs:
        json.loads(text)
    assert str(ours.value) == str(theirs.value)


def test_the_dirt_check_misses_no_character_that_clean_removes():
    """Every code point, alone and inside text: whenever ``clean`` changes a record,
    ``_maybe_dirty`` flagged its JSON text first."""
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        record = {"t": f"ab{ch}cd", ch: 1}
        if clean(record)[1]:
            assert batch_mod._maybe_dirty(batch_mod._json_text(record)), hex(cp)


def test_the_batch_writes_the_bytes_the_old_writer_wrote(tmp_path):
    """The fast path (msgspec encoding, own CSV quoting, cleaning only when flagged) against
    the old one (clean, json.dumps, csv.writer) on random records with every kind of trouble."""
    rng = random.Random(15)
    alphabet = ["a", "é", ",", '"', "\n", "\r", "\t", "\\", "\x00", "\x1b", "\x85", "\ud800", "\u2028", "b", "u", " "]
    spec = batch_mod.StreamSpec("x__y", [("id", "text"), ("at", "timestamptz")], ["id"])
    b = Batch(tmp_path, "x", "b1")
    out = b.stream("y", spec)
    expected = io.StringIO(newline="")
    old = csv.writer(expected)
    old.writerow(["id", "at", "_seq", "_request", "_record_hash", "record"])
    cleaned = 0
    for seq in range(1, 3001):

        def text() -> str:
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))

        key = [text() if rng.random() < 0.9 else None, dt.datetime(2023, 12, 1, tzinfo=dt.UTC)]
        record = {"id": key[0], "n": rng.randint(-5, 10**12), "f": rng.random(), "t": text(), text(): [text(), None]}
        request = f"spool:webhooks-20231201.jsonl:{seq}{text()}"
        out.write(list(key), record, request)
        rec, changed = clean(record)
        keys, kchanged = clean(list(key))
        cleaned += changed or kchanged
        text = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
        old.writerow(
            [batch_mod._csv_value(v) for v in keys]
            + [seq, batch_mod.clean_text(request), hashlib.md5(text.encode()).hexdigest(), text]
        )
    b.commit()
    with open(b.folder / "y.csv", encoding="utf-8", newline="") as fh:
        got = fh.read()
    assert got == expected.getvalue()
    assert out.result.cleaned == cleaned > 0


def test_duplicates_are_dropped_by_the_on_disk_index_the_first_valid_copy_wins(tmp_path, landing):
    """A rejected copy does not hold its key: a later valid copy of the same record is written."""
    spool = Spool(tmp_path / "spool")
    try:
        spool.append(_delivery({"id": "wamid.A", "timestamp": "1702500000", "type": "text"}))  # no sender
        spool.append(_delivery(_msg("wamid.A", text={"body": "first valid"})))
        spool.append(_delivery(_msg("wamid.A", text={"body": "second"}), _msg("wamid.B")))
        spool.append(
            _delivery(statuses=({"id": "wamid.O", "status": "read", "timestamp": 1702500001}, {"id": "wamid.O"}))
        )
        spool.append(_delivery(statuses=({"id": "wamid.O", "status": "read", "timestamp": "1702500001"},)))
    finally:
        spool.close()
    b = run_extract(WhatsappConfig(tmp_path / "spool"), landing, full_refresh=True)
    with open(b.folder / "messages.csv", newline="") as fh:
        msgs = {r["wamid"]: json.loads(r["record"])["text"]["body"] for r in csv.DictReader(fh)}
    assert msgs == {"wamid.A": "first valid", "wamid.B": "Halo"}
    assert b.streams["messages"].rejected == 1 and b.streams["statuses"].rejected == 1
    assert b.streams["statuses"].records == 1
    m = json.loads((b.folder / "manifest.json").read_text())
    assert m["window"]["duplicates"] == {"messages": 1, "statuses": 1}  # "1702500001" == 1702500001 as a key
    assert not list(b.folder.glob(".seen-keys*")), "the scratch index is deleted with the extract"


def test_the_scratch_index_is_private_and_removed_when_the_extract_fails(tmp_path, landing, monkeypatch):
    spool = Spool(tmp_path / "spool")
    try:
        spool.append(_delivery(_msg("wamid.A"), _msg("wamid.B")))
    finally:
        spool.close()
    seen: list = []
    original = wa_streams.write_record

    def failing(batch, stream, record, request, full_refresh=False):
        path = batch.folder / wa_streams.SeenKeys.NAME
        seen.append(stat.S_IMODE(path.stat().st_mode))
        if len(seen) == 2:
            raise RuntimeError("disk full")
        return original(batch, stream, record, request, full_refresh)

    monkeypatch.setattr(wa_streams, "write_record", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        run_extract(WhatsappConfig(tmp_path / "spool"), landing, full_refresh=True)
    assert seen == [0o600, 0o600]
    folders = list((landing / "whatsapp").iterdir())
    assert len(folders) == 1 and not list(folders[0].glob(".seen-keys*"))
    assert not (folders[0] / "manifest.json").exists()


def test_the_index_holds_the_keys_in_sqlite_with_a_bounded_cache_and_is_removed(tmp_path):
    """The keys live in the SQLite file (no Python set); its page cache is bounded whatever the volume."""
    idx = wa_streams.SeenKeys(tmp_path, wa_streams.STREAMS)
    try:
        for i in range(20_000):
            assert idx.add("messages", (f"wamid.{i}",))
        assert not idx.add("messages", ("wamid.7",))
        idx.discard("messages", ("wamid.7",))
        assert idx.add("messages", ("wamid.7",))
        assert idx.add("statuses", ("wamid.7", "read", "1")) and not idx.add("statuses", ("wamid.7", "read", "1"))
        (cache,) = idx.db.execute("pragma cache_size").fetchone()
        assert cache == -wa_streams.SeenKeys.CACHE_KIB
        assert idx.db.execute('select count(*) from "messages"').fetchone() == (20_000,)
    finally:
        idx.close()
    assert not (tmp_path / wa_streams.SeenKeys.NAME).exists()
