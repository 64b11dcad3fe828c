"""The WhatsApp extractor: spool (from the real receiver) + BSP export -> batch -> raw.* (real PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from extractors.common.batch import read_manifest
from extractors.whatsapp import WhatsappConfig, run_extract
from extractors.whatsapp.spool import Spool
from loaders import load_batch

META = {"display_phone_number": "628111504207", "phone_number_id": "113355779911224"}
WA = "6281234567890"


def message(wamid: str, ts: int, body: str = "Halo") -> dict:
    return {"from": WA, "id": wamid, "timestamp": str(ts), "type": "text", "text": {"body": body}}


def status(wamid: str, st: str, ts: int, **extra) -> dict:
    return {"id": wamid, "status": st, "timestamp": str(ts), "recipient_id": WA, **extra}


def change(messages=(), statuses=()) -> dict:
    value = {"messaging_product": "whatsapp", "metadata": META}
    if messages:
        value["contacts"] = [{"profile": {"name": "Budi"}, "wa_id": WA}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"field": "messages", "value": value}


def delivery(*changes: dict) -> bytes:
    return json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"id": "102030405060708", "changes": list(changes)}]}
    ).encode()


def rows(batch, stream: str) -> list[dict]:
    with open(batch.folder / f"{stream}.csv", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture()
def sources(tmp_path) -> WhatsappConfig:
    """History in an export; the receiver's spool overlaps it and brings the rest, out of order and twice."""
    export_dir = tmp_path / "export"
    export_dir.mkdir()
    lines = [
        change(messages=[message("wamid.M1", 1702500000)]),
        change(statuses=[status("wamid.O1", "sent", 1702500005)]),
        change(messages=[message("wamid.M2", 1702580000, "Nama: Budi")]),  # also delivered by webhook
        change(statuses=[status("wamid.O1", "delivered", 1702500010)]),  # also delivered by webhook
    ]
    (export_dir / "history.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    spool = Spool(tmp_path / "spool")
    try:
        spool.append(
            delivery(
                change(messages=[message("wamid.M2", 1702580000, "Nama: Budi")]),
                change(statuses=[status("wamid.O1", "delivered", 1702500010)]),
            )
        )
        # the read receipt arrives before the delivery receipt of the same message
        spool.append(delivery(change(statuses=[status("wamid.O2", "read", 1702580100)])))
        spool.append(
            delivery(
                change(statuses=[status("wamid.O2", "sent", 1702580020), status("wamid.O2", "delivered", 1702580030)])
            )
        )
        # a status and the same status again inside another delivery
        failed = status("wamid.O3", "failed", 1702580040, errors=[{"code": 131026, "title": "Message undeliverable"}])
        spool.append(delivery(change(statuses=[failed])))
        spool.append(delivery(change(statuses=[failed, status("wamid.O3", "delivered", 1702580090)])))
        # broken input: a message without id and timestamp, another kind of change, and a non-JSON body
        spool.append(
            delivery(
                change(messages=[{"from": WA, "type": "text", "text": {"body": "?"}}]),
                {"field": "message_template_status_update", "value": {"event": "APPROVED"}},
            )
        )
        spool.append(b"not json at all")
    finally:
        spool.close()
    return WhatsappConfig(tmp_path / "spool", export_dir)


def test_export_and_webhook_records_are_written_once_and_the_webhook_copy_wins(sources, landing):
    batch = run_extract(sources, landing, full_refresh=True)
    msgs = rows(batch, "messages")
    assert sorted(r["wamid"] for r in msgs) == ["wamid.M1", "wamid.M2"]
    origin = {r["wamid"]: json.loads(r["record"])["_origin"] for r in msgs}
    assert origin == {"wamid.M1": "export", "wamid.M2": "webhook"}
    keys = Counter((r["wamid"], r["status"], r["status_at"]) for r in rows(batch, "statuses"))
    assert max(keys.values()) == 1
    assert Counter(k[0] for k in keys) == {"wamid.O1": 2, "wamid.O2": 3, "wamid.O3": 2}
    assert json.loads(rows(batch, "messages")[0]["record"])["_contact"]["wa_id"] == WA
    m = read_manifest(batch.folder)
    assert m["window"]["duplicates"] == {"messages": 1, "statuses": 2}
    assert m["window"]["skipped_fields"] == {"message_template_status_update": 1}


def test_bad_records_are_rejected_with_reasons_and_loaded_into_quarantine(sources, landing, conn):
    batch = run_extract(sources, landing, full_refresh=True)
    assert batch.streams["messages"].rejected == 2
    result = load_batch(conn, batch.folder)
    assert result.streams["messages"].inserted == 2 and result.streams["statuses"].inserted == 7
    reasons = [
        r[0]
        for r in conn.execute("select reason from raw._quarantine where source = 'whatsapp' order by reason").fetchall()
    ]
    assert len(reasons) == 2
    assert any("not JSON" in r for r in reasons)
    assert any("id" in r and "timestamp" in r for r in reasons)


def test_loaded_statuses_keep_every_event_in_any_order_and_a_rerun_changes_nothing(sources, landing, conn):
    load_batch(conn, run_extract(sources, landing, full_refresh=True).folder)
    events = conn.execute(
        "select status, status_at from raw.whatsapp__statuses where wamid = 'wamid.O2' order by status_at"
    ).fetchall()
    assert [s for s, _ in events] == ["sent", "delivered", "read"]
    assert events[0][1] == dt.datetime.fromtimestamp(1702580020, dt.UTC)  # Unix seconds, stored in UTC
    before = conn.execute("select wamid, _loaded_at, record from raw.whatsapp__messages order by 1").fetchall()
    again = load_batch(conn, run_extract(sources, landing, full_refresh=True).folder)
    assert again.streams["messages"].unchanged == 2 and again.streams["statuses"].unchanged == 7
    assert conn.execute("select wamid, _loaded_at, record from raw.whatsapp__messages order by 1").fetchall() == before


def test_an_incremental_run_reads_recent_spool_days_and_changed_exports_only(sources, landing, tmp_path):
    spool_file = next(sources.spool_dir.glob("webhooks-*.jsonl"))
    old = sources.spool_dir / "webhooks-20230101.jsonl"
    old.write_bytes(b"")  # a day long past
    since = dt.datetime.now(dt.UTC)
    batch = run_extract(sources, landing, since=since)
    m = read_manifest(batch.folder)
    assert m["window"]["full_refresh"] is False
    assert m["streams"]["statuses"]["full_refresh"] is False
    assert batch.streams["statuses"].records == 7  # today's spool file, plus the export (just written)
    read = m["window"]["deliveries"]
    assert read == 7 and spool_file.exists()
    import os

    os.utime(sources.export_dir / "history.jsonl", (0, 0))  # an export untouched for ages
    batch = run_extract(sources, landing, since=since)
    assert sorted(r["wamid"] for r in rows(batch, "messages")) == ["wamid.M2"]


def test_a_missing_spool_directory_fails_loudly(tmp_path, landing):
    with pytest.raises(FileNotFoundError, match="spool directory"):
        run_extract(WhatsappConfig(tmp_path / "nowhere"), landing, full_refresh=True)
    assert not list(Path(landing).glob("whatsapp/*/manifest.json"))


def test_the_stand_in_world_arrives_complete_through_both_paths(tmp_path, landing):
    """A month of the simulated world: export + signed webhooks (redelivered, out of order) -> each record once."""
    from simulators.scenario.whatsapp import iter_whatsapp_months
    from simulators.whatsapp.feed import Cut, build
    from simulators.whatsapp.stand_in import Receiver, handshake, post_all

    cut = Cut.default("2024-01-01")
    export, bodies = build(tmp_path / "world", 7, "2023-12-01", "2024-01-01", cut)
    with Receiver(tmp_path / "spool", tmp_path / "receiver.log") as rec:
        handshake(rec)
        counts = post_all(rec, bodies)
    batch = run_extract(WhatsappConfig(tmp_path / "spool", export.parent), landing, full_refresh=True)
    events = [e for m in iter_whatsapp_months(7, "2023-12-01", "2024-01-01") for e in m.events]
    messages = {e.key for e in events if e.kind == "message"}
    statuses = {tuple(e.key.rsplit("/", 2)) for e in events if e.kind == "status"}
    got_m = [r["wamid"] for r in rows(batch, "messages")]
    got_s = [
        (r["wamid"], r["status"], str(int(dt.datetime.fromisoformat(r["status_at"]).timestamp())))
        for r in rows(batch, "statuses")
    ]
    assert len(got_m) == len(set(got_m)) and set(got_m) == messages
    assert len(got_s) == len(set(got_s)) and set(got_s) == statuses
    m = read_manifest(batch.folder)
    assert m["window"]["duplicates"]["messages"] > 0  # the overlap of export and webhooks was there
    assert sum(counts.values()) > m["window"]["deliveries"]  # redeliveries were answered but not stored
    by_origin = Counter(json.loads(r["record"])["_origin"] for r in rows(batch, "messages"))
    assert by_origin["export"] > 0 and by_origin["webhook"] > 0
    webhook_times = [
        dt.datetime.fromisoformat(r["sent_at"])
        for r in rows(batch, "messages")
        if json.loads(r["record"])["_origin"] == "webhook"
    ]
    assert min(webhook_times) >= cut.live_from


BSUID = "ID.13491208655302741918"  # a business-scoped user id: country code, ".", id


def test_messages_from_business_scoped_user_ids_load(tmp_path, landing, conn):
    """Cloud API payloads since the BSUID rollout: the BSUID beside the phone number
    (``from_user_id``, ``contacts[].user_id``), instead of it (a user with a username whose
    phone is withheld: no ``from``), or relayed in ``from``. None is rejected."""
    both = {**message("wamid.B1", 1702500000), "from_user_id": BSUID}
    bsuid_only = {
        "from_user_id": "ID.ENT.11815799212886844830",
        "id": "wamid.B2",
        "timestamp": "1702500100",
        "type": "text",
        "text": {"body": "Halo"},
    }
    in_from = {**message("wamid.B3", 1702500200), "from": BSUID}
    nobody = {"id": "wamid.B4", "timestamp": "1702500300", "type": "text", "text": {"body": "?"}}
    value = {
        "messaging_product": "whatsapp",
        "metadata": META,
        "contacts": [
            {"profile": {"name": "Budi", "username": "@budi"}, "wa_id": WA, "user_id": BSUID},
            {"profile": {"name": "Sari", "username": "@sari"}, "user_id": "ID.ENT.11815799212886844830"},
        ],
        "messages": [both, bsuid_only, in_from, nobody],
        "statuses": [
            {
                "id": "wamid.O9",
                "status": "read",
                "timestamp": "1702500400",
                "recipient_user_id": BSUID,
                "username": "@budi",
            }
        ],
    }
    spool = Spool(tmp_path / "spool")
    try:
        spool.append(delivery({"field": "messages", "value": value}))
    finally:
        spool.close()
    batch = run_extract(WhatsappConfig(tmp_path / "spool"), landing, full_refresh=True)
    assert batch.streams["messages"].records == 3 and batch.streams["statuses"].records == 1
    assert batch.streams["messages"].rejected == 1  # only the message with no sender at all
    result = load_batch(conn, batch.folder)
    assert result.streams["messages"].inserted == 3 and result.streams["statuses"].inserted == 1
    loaded = {
        w: (r.get("from"), r.get("from_user_id"))
        for w, r in conn.execute("select wamid, record from raw.whatsapp__messages").fetchall()
    }
    assert loaded == {
        "wamid.B1": (WA, BSUID),
        "wamid.B2": (None, "ID.ENT.11815799212886844830"),
        "wamid.B3": (BSUID, None),
    }
    reasons = [r[0] for r in conn.execute("select reason from raw._quarantine where source = 'whatsapp'").fetchall()]
    assert len(reasons) == 1 and "no sender" in reasons[0]


def test_the_user_is_keyed_by_the_phone_number_when_there_is_one_else_by_the_bsuid():
    from extractors.whatsapp.models import Message

    def ref(**sender) -> str:
        return Message.model_validate(
            {"_origin": "webhook", "id": "wamid.K", "timestamp": "1702500000", "type": "text", **sender}
        ).user_ref

    assert ref(**{"from": WA, "from_user_id": BSUID}) == WA
    assert ref(from_user_id=BSUID) == BSUID
    assert ref(**{"from": BSUID}) == BSUID
    for bad in ({"from": "budi"}, {"from": ""}, {"from_user_id": WA}, {}):
        with pytest.raises(ValueError):
            ref(**bad)
