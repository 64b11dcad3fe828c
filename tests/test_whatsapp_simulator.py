"""The simulated WhatsApp world: calibrated, deterministic, as messy as the real one, and
rendering the consultation plan: every "Chat Agent" conversation is one plan consultation."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict

import pytest

from simulators.scenario.consultations import plan_month
from simulators.scenario.whatsapp import (
    HANDOFF_BUTTON,
    HANDOFF_ROW,
    MENUS,
    RATINGS,
    WhatsappGenerator,
    expected_figures,
    iter_whatsapp_months,
)
from simulators.scenario.world import LOCAL_TZ, local_month
from tests import whatsapp_expected as expected

HANDOFF_IDS = {HANDOFF_ROW[0], HANDOFF_BUTTON[0]}
LABELS = {m[0]: m[2] for m in MENUS}


@pytest.fixture(scope="module")
def december():
    return WhatsappGenerator(2023).month("2023-12")


RATING_VALUES = {rid: value for rid, _, value in RATINGS}


def conversations_of(events):
    """Sessionize inbound messages the pipeline's way: 24 h of silence ends a conversation."""
    by_user = defaultdict(list)
    for e in events:
        if e.kind == "message":
            m = e.value["messages"][0]
            by_user[m["from"]].append((int(m["timestamp"]), m))
    convs = []
    for msgs in by_user.values():
        msgs.sort(key=lambda x: x[0])
        for i, (ts, m) in enumerate(msgs):
            if i == 0 or ts - msgs[i - 1][0] >= 24 * 3600:
                convs.append([])
            convs[-1].append((ts, m))
    return convs


def reply_id(m):
    i = m.get("interactive") or {}
    return (i.get("list_reply") or i.get("button_reply") or {}).get("id")


def sessions(events):
    """Conversations with their outbound messages, by the pipeline's rules: an outbound
    message (its "sent" event) belongs to the recipient's latest conversation started at
    or before it was sent; blasts belong to none."""
    convs = [
        {"wa_id": c[0][1]["from"], "start": c[0][0], "messages": [m for _, m in c], "out": []}
        for c in conversations_of(events)
    ]
    by_user = defaultdict(list)
    for c in sorted(convs, key=lambda c: c["start"]):
        by_user[c["wa_id"]].append(c)
    for e in events:
        s = e.value.get("statuses", [{}])[0]
        if e.kind != "status" or s["status"] != "sent":
            continue
        cb = json.loads(s["biz_opaque_callback_data"])
        mine = [c for c in by_user.get(s["recipient_id"], []) if c["start"] <= int(s["timestamp"])]
        if cb["kind"] != "blast" and mine:
            mine[-1]["out"].append((int(s["timestamp"]), cb))
    return convs


_LABEL = r"(?im)^[ \t]*(?:[0-9]+[.)][ \t]*)?(?:{})[ \t]*[:=][ \t]*([^\n]*)$"
_REGION = r"asal[ \t]+daerah|daerah(?:[ \t]*/[ \t]*pemda)?|pemda|wilayah"
_INSTITUTION = r"instansi(?:[ \t]*/[ \t]*(?:skpd|opd))?|skpd|opd|unit[ \t]+kerja"
_LOOKS_LABELLED = (
    r"(?i)(^|\n)[ \t]*([0-9]+[.)][ \t]*)?(nama|daerah|asal daerah|instansi|skpd|e-?mail|pertanyaan)[^\n:=]{0,20}[:=]"
)


def form_fields(messages):
    """(region, institution) as int_whatsapp__conversations reads them: the first text that
    looks like the form, "label: value" lines or "#"-separated fields, trimmed, "" -> None."""
    for m in messages:
        body = (m.get("text") or {}).get("body", "")
        if m["type"] != "text" or not (re.search(_LOOKS_LABELLED, body) or body.count("#") >= 3):
            continue
        if re.search(_LOOKS_LABELLED, body):
            found = [re.search(_LABEL.format(labels), body) for labels in (_REGION, _INSTITUTION)]
            values = [f.group(1) if f else None for f in found]
        else:
            parts = body.split("#") + ["", ""]
            values = parts[1:3]
        return tuple((v or "").strip(" ") or None for v in values)
    return None, None


def typed(text):
    return (text or "").strip(" ") or None


@pytest.fixture(scope="module")
def december_sessions(december):
    return [
        c for c in sessions(december.events) if local_month(dt.datetime.fromtimestamp(c["start"], dt.UTC)) == "2023-12"
    ]


def test_december_2023_is_the_published_figures_by_the_pipelines_rules(december):
    convs = [
        c
        for c in conversations_of(december.events)
        if local_month(dt.datetime.fromtimestamp(c[0][0], dt.UTC)) == "2023-12"
    ]
    consult = [c for c in convs if any(reply_id(m) in HANDOFF_IDS for _, m in c)]
    assert (len(consult), len(convs) - len(consult)) == (1118, 707)
    menus = Counter(
        LABELS[reply_id(m)]
        for c in convs
        for _, m in c
        if m["type"] == "interactive" and m["interactive"]["type"] == "list_reply" and reply_id(m) in LABELS
    )
    assert menus == expected.MENUS and sum(menus.values()) == 566


def test_december_blasts_have_the_published_dates_and_subjects(december):
    first = {}
    for e in december.events:
        s = e.value.get("statuses", [{}])[0]
        cb = json.loads(s.get("biz_opaque_callback_data") or "{}")
        if cb.get("kind") == "blast":
            first[cb["blast_id"]] = min(first.get(cb["blast_id"], (e.at, ""))[0], e.at), cb["subject"]
    got = sorted((at.astimezone(LOCAL_TZ).date().isoformat(), subject) for at, subject in first.values())
    assert got == expected.BLASTS


def test_every_chat_agent_conversation_is_one_plan_consultation(december_sessions):
    """Independent of the pipeline: the events give exactly the plan's WhatsApp consultations
    of December 2023 (users, start times to the second, agents, wrap-ups, ratings, form)."""
    plan = {
        (c.person.phone.lstrip("+"), int(c.created_at.timestamp())): c
        for c in plan_month(2023, "2023-12").for_channel("whatsapp")
    }
    assert len(plan) == 1118
    consultations = {
        (c["wa_id"], c["start"]): c for c in december_sessions if any(reply_id(m) in HANDOFF_IDS for m in c["messages"])
    }
    assert set(consultations) == set(plan)
    wrong = []
    for key, conv in consultations.items():
        c = plan[key]
        agents = {cb["agent"] for _, cb in conv["out"] if cb["kind"] == "agent_reply"}
        wrapups = [
            (cb.get("agent"), cb.get("topic"), cb.get("escalated"))
            for _, cb in conv["out"]
            if cb.get("step") == "close"
        ]
        ratings = [RATING_VALUES[reply_id(m)] for m in conv["messages"] if reply_id(m) in RATING_VALUES]
        got = (agents, wrapups, ratings[-1:], form_fields(conv["messages"]))
        want = (
            {c.agent},
            [(c.agent, c.topic, "1" if c.is_escalated else "0")],
            [c.rating] if c.rating else [],
            (typed(c.region_text), typed(c.institution_text)),
        )
        if got != want:
            wrong.append((c.key, want, got))
    assert not wrong, wrong[:3]
    rated = [c for c in consultations.values() if any(reply_id(m) in RATING_VALUES for m in c["messages"])]
    assert all(reply_id(c["messages"][-1]) in RATING_VALUES for c in rated)  # the rating ends the conversation
    assert sum(c.rating is not None for c in plan.values()) == len(rated) > 0
    assert sum(c.is_escalated for c in plan.values()) > 0


def test_chatbot_only_conversations_get_no_agent_and_no_wrap_up(december_sessions):
    bots = [c for c in december_sessions if not any(reply_id(m) in HANDOFF_IDS for m in c["messages"])]
    assert len(bots) == 707
    assert not [c for c in bots if any(cb["kind"] == "agent_reply" or cb.get("step") == "close" for _, cb in c["out"])]
    assert not [c for c in bots if any(reply_id(m) in RATING_VALUES for m in c["messages"])]


def test_months_generated_in_order_keep_the_plan_across_the_boundary():
    """Nov and Dec 2023 together: no conversation of one month merges with the other's."""
    events = [e for m in iter_whatsapp_months(2023, "2023-11-01", "2024-01-01") for e in m.events]
    by_month = Counter()
    for c in sessions(events):
        handoff = any(reply_id(m) in HANDOFF_IDS for m in c["messages"])
        by_month[(local_month(dt.datetime.fromtimestamp(c["start"], dt.UTC)), handoff)] += 1
    fig = expected_figures(2023, "2023-11-01", "2024-01-01")
    for month in ("2023-11", "2023-12"):
        assert (by_month[(month, True)], by_month[(month, False)]) == (
            fig[month]["consultations"],
            fig[month]["chatbot_users"],
        ), month


def test_the_year_adds_up_to_the_reported_totals():
    fig = expected_figures(2023)
    assert sum(fig[f"2023-{m:02d}"]["consultations"] for m in range(1, 13)) == 14310
    assert sum(fig[f"2023-{m:02d}"]["blasts"] for m in range(1, 13)) == 55
    assert (fig["2023-11"]["consultations"], fig["2022-12"]["consultations"]) == (988, 1065)
    assert (fig["2023-11"]["blasts"], fig["2022-12"]["blasts"]) == (3, 1)
    assert all(950 <= fig[f"2023-{m:02d}"]["consultations"] <= 1400 for m in range(1, 13))  # roughly 1000-1400


def test_statuses_are_as_messy_as_whatsapps(december):
    by_msg = defaultdict(list)
    for e in december.events:
        if e.kind == "status":
            s = e.value["statuses"][0]
            by_msg[s["id"]].append((int(s["timestamp"]), s["status"]))
    kinds = Counter()
    for events in by_msg.values():
        seq = [st for _, st in sorted(events)]
        kinds["read_without_delivered"] += "read" in seq and "delivered" not in seq
        kinds["delivered_after_failed"] += (
            "failed" in seq and seq.index("delivered") > seq.index("failed")
            if "failed" in seq and "delivered" in seq
            else 0
        )
        kinds["sent_only"] += seq == ["sent"]
    assert all(kinds[k] > 0 for k in ("read_without_delivered", "delivered_after_failed", "sent_only"))


def test_free_text_registration_answers_vary(december):
    forms = [
        m["text"]["body"]
        for e in december.events
        if e.kind == "message"
        for m in e.value["messages"]
        if m["type"] == "text"
        and ("Nama" in m["text"]["body"] or "#" in m["text"]["body"] or "nama" in m["text"]["body"])
    ]
    assert len(forms) > 1000
    assert any(f.startswith("1. Nama") for f in forms) and any("#" in f for f in forms)
    assert any("asal daerah" in f for f in forms)


def test_the_same_seed_gives_the_same_world_and_another_seed_another():
    a = [e.change() for e in next(iter_whatsapp_months(5, "2023-02-01", "2023-03-01")).events[:300]]
    b = [e.change() for e in next(iter_whatsapp_months(5, "2023-02-01", "2023-03-01")).events[:300]]
    c = [e.change() for e in next(iter_whatsapp_months(6, "2023-02-01", "2023-03-01")).events[:300]]
    assert a == b and a != c
