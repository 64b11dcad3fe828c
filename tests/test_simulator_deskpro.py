"""Tests for the Deskpro scenario generator and the Deskpro API v2 stand-in."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest
import requests

from simulators.deskpro import DeskproStandIn, expected_counts
from simulators.deskpro.server import load_world
from simulators.scenario.calibration import CALIBRATION
from simulators.scenario.consultations import TOPICS
from simulators.scenario.deskpro import (
    AGENT_NAMES,
    generate_deskpro_world,
    iter_deskpro_months,
)

KEY = "secret-key"
AUTH = {"Authorization": f"key {KEY}"}
WIB = timezone(timedelta(hours=7))
CHANNEL_BY_SYSTEM = {
    "gateway.person": "email_call_center",
    "web.api": "hai_kemenkeu",
    "web.person.widget": "live_chat",
}
DEPARTMENT_BY_CHANNEL = {"email_call_center": 1, "hai_kemenkeu": 2, "live_chat": 3}
TARGETS = {
    ("email_call_center", "2023-12"): 126,
    ("email_call_center", "2023-11"): 143,
    ("email_call_center", "2022-12"): 86,
    ("hai_kemenkeu", "2023-12"): 56,
    ("hai_kemenkeu", "2023-11"): 14,
    ("hai_kemenkeu", "2022-12"): 48,
    ("live_chat", "2023-12"): 20,
    ("live_chat", "2023-11"): 23,
    ("live_chat", "2022-12"): 4,
}
TS_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def ts(value: str) -> datetime:
    return datetime.strptime(value, TS_FORMAT)


def counted(ticket: dict) -> bool:
    return ticket["status"] != "hidden" and ticket["hidden_status"] is None


def local_counts(tickets) -> Counter:
    """Independent re-implementation of the counting rule, from raw ticket dicts."""
    out: Counter = Counter()
    for t in tickets:
        if counted(t):
            local = ts(t["date_created"]).astimezone(WIB)
            out[(CHANNEL_BY_SYSTEM[t["creation_system"]], local.strftime("%Y-%m"))] += 1
    return out


def public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


# ----------------------------------------------------------------- generator


@pytest.fixture(scope="module")
def world():
    return load_world(2023)


def test_generator_is_deterministic_by_seed():
    a = generate_deskpro_world(2023, "2023-01-01", "2023-03-01")
    b = generate_deskpro_world(2023, "2023-01-01", "2023-03-01")
    c = generate_deskpro_world(7, "2023-01-01", "2023-03-01")
    dump = lambda w: json.dumps([w.tickets, w.people, w.organizations], sort_keys=True)  # noqa: E731
    assert dump(a) == dump(b)
    assert dump(a) != dump(c)


def test_generator_streams_month_by_month(world):
    months = list(iter_deskpro_months(2023, "2022-12-01", "2023-02-01"))
    assert [m.month for m in months] == ["2022-12", "2023-01"]
    streamed = [t for m in months for t in m.tickets]
    assert json.dumps(streamed) == json.dumps(world.tickets[: len(streamed)])
    # Ids grow with creation time.
    ids = [t["id"] for t in world.tickets]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [t["date_created"] for t in world.tickets] == sorted(t["date_created"] for t in world.tickets)


def test_calibration_targets_exact(world):
    counts = local_counts(world.tickets)
    for key, want in TARGETS.items():
        assert counts[key] == want, key
    # The calibration module holds the same figures.
    for (channel, month), want in TARGETS.items():
        assert CALIBRATION["deskpro"][channel][month] == want
    # All 13 months x 3 channels are present, other months in plausible ranges.
    ranges = {"email_call_center": (80, 160), "hai_kemenkeu": (10, 60), "live_chat": (3, 30)}
    assert len(world.months) == 13
    for month in world.months:
        for channel, (lo, hi) in ranges.items():
            assert lo <= counts[(channel, month)] <= hi
    assert set(counts) == {(c, m) for c in ranges for m in world.months}
    assert dict(counts) == expected_counts(2023)


def test_calibration_holds_for_other_seeds_and_without_mess():
    w = generate_deskpro_world(99, "2023-11-01", "2024-01-01", mess=False)
    counts = local_counts(w.tickets)
    for (channel, month), want in TARGETS.items():
        if month >= "2023-11":
            assert counts[(channel, month)] == want
    assert all(counted(t) for t in w.tickets)


def test_spam_and_deleted_are_hidden_and_not_counted(world):
    hidden = [t for t in world.tickets if t["status"] == "hidden"]
    kinds = Counter(t["hidden_status"] for t in hidden)
    assert kinds["spam"] > 0 and kinds["deleted"] > 0
    assert set(kinds) == {"spam", "deleted"}
    assert all(t["hidden_status"] is None for t in world.tickets if t["status"] != "hidden")
    assert len({t["department"] for t in hidden}) > 1


def test_channel_mapping_facts(world):
    for t in world.tickets:
        channel = CHANNEL_BY_SYSTEM[t["creation_system"]]
        assert t["department"] == DEPARTMENT_BY_CHANNEL[channel]
        if channel == "live_chat":
            assert isinstance(t["linked_chat"], int)
        else:
            assert t["linked_chat"] is None
    chats = [t["linked_chat"] for t in world.tickets if t["linked_chat"] is not None]
    assert len(chats) == len(set(chats))


def test_local_time_patterns(world):
    valid = [t for t in world.tickets if counted(t)]
    local = [ts(t["date_created"]).astimezone(WIB) for t in valid]
    office = sum(1 for d in local if d.weekday() < 5 and 8 <= d.hour < 17)
    weekend = sum(1 for d in local if d.weekday() >= 5)
    assert 0.6 < office / len(local) < 0.95
    assert weekend > 0
    # Boundary tickets: local month differs from the UTC month, in every month.
    boundary = {
        d.strftime("%Y-%m")
        for t, d in zip(valid, local, strict=False)
        if ts(t["date_created"]).strftime("%Y-%m") != d.strftime("%Y-%m")
    }
    assert boundary == set(world.months)


def test_ticket_content(world):
    valid = [t for t in world.tickets if counted(t)]
    assert {t["fields"]["2"]["value"] for t in valid} <= set(TOPICS)
    names = {a["id"]: a["name"] for a in world.agents}
    assert sorted(names.values()) == sorted(AGENT_NAMES)
    assert all(names[t["agent"]] for t in valid)
    ratings = Counter(t["feedback_rating"] for t in valid if t["feedback_rating"] is not None)
    assert set(ratings) <= {1, 2, 3, 4, 5} and ratings.most_common(1)[0][0] == 5
    late = [t for t in valid if ts(t["date_status"]) - ts(t["date_created"]) >= timedelta(days=14)]
    assert late
    regions = [p["fields"]["1"]["value"] for p in world.people]
    assert any(r in (None, "", "-") for r in regions)
    assert len(set(regions)) > 100
    assert any(p["organization"] for p in world.people) and not all(p["organization"] for p in world.people)
    refs = [t["ref"] for t in world.tickets]
    assert len(set(refs)) == len(refs)
    assert all(len(r) == 14 and r[4] == r[9] == "-" for r in refs)


# -------------------------------------------------------------------- server


@pytest.fixture(scope="module")
def srv():
    with DeskproStandIn(seed=2023, api_key=KEY) as s:
        yield s


@pytest.fixture(autouse=True)
def _reset(request):
    yield
    if "srv" in request.fixturenames:
        s = request.getfixturevalue("srv")
        s.faults.clear()
        s.set_as_of(None)


def get(srv, path, headers=AUTH, **params):
    return requests.get(srv.base_url + path, headers=headers, params=params, timeout=10)


def fetch_all(srv, path="/tickets", **params):
    out, page = [], 1
    while True:
        body = get(srv, path, count=200, page=page, **params).json()
        out += body["data"]
        if page >= body["meta"]["pagination"]["total_pages"]:
            return out
        page += 1


def test_auth(srv):
    for headers in ({}, {"Authorization": "key wrong"}, {"Authorization": f"Bearer {KEY}"}):
        r = get(srv, "/tickets", headers=headers)
        assert r.status_code == 401
        assert r.json()["status"] == 401 and r.json()["code"] == "invalid_auth"
    assert get(srv, "/tickets", headers={**AUTH, "X-DeskPRO-Agent-ID": "999"}).status_code == 403
    assert get(srv, "/tickets", headers={**AUTH, "X-DeskPRO-Agent-ID": "1"}).status_code == 200
    assert srv.base_url.startswith("http://127.0.0.1:") and srv.base_url.endswith("/api/v2")


def test_pagination_envelope(srv, world):
    r = get(srv, "/tickets", count=7, page=3)
    assert r.status_code == 200
    body = r.json()
    total = len(world.tickets)
    assert body["meta"]["pagination"] == {
        "total": total,
        "count": 7,
        "per_page": 7,
        "current_page": 3,
        "total_pages": math.ceil(total / 7),
    }
    assert [t["id"] for t in body["data"]] == [t["id"] for t in world.tickets[14:21]]
    assert body["linked"] == {}
    default = get(srv, "/tickets").json()
    assert default["meta"]["pagination"]["per_page"] == 10 and len(default["data"]) == 10
    last = get(srv, "/tickets", count=200, page=math.ceil(total / 200)).json()
    assert last["meta"]["pagination"]["count"] == len(last["data"]) == total - 200 * (math.ceil(total / 200) - 1)
    assert get(srv, "/tickets", count=200, page=99).json()["data"] == []


def test_count_is_clamped_to_200(srv):
    body = get(srv, "/tickets", count=500).json()
    assert body["meta"]["pagination"]["per_page"] == 200 and len(body["data"]) == 200


def test_full_extract_matches_world(srv, world):
    tickets = fetch_all(srv)
    assert [t["id"] for t in tickets] == [t["id"] for t in world.tickets]
    settled = [t for t in world.tickets if ts(t["_sim"]["final_at"]) <= srv.as_of]
    assert len(settled) < len(world.tickets)  # some December tickets settle after the default as_of
    served = {t["id"]: t for t in tickets}
    assert all(served[t["id"]] == public(t) for t in settled)
    assert local_counts(tickets) == Counter(expected_counts(2023))
    assert all("_sim" not in t for t in tickets)


def test_ticket_shape(srv):
    t = get(srv, "/tickets/20010").json()["data"]
    for k in (
        "id",
        "ref",
        "subject",
        "status",
        "hidden_status",
        "department",
        "agent",
        "agent_team",
        "person",
        "organization",
        "brand",
        "linked_chat",
        "creation_system",
        "language",
        "date_created",
        "date_first_agent_assign",
        "date_first_agent_reply",
        "date_last_agent_reply",
        "date_resolved",
        "date_archived",
        "date_status",
        "total_to_first_reply",
        "total_user_waiting",
        "total_to_first_reply_wh",
        "total_user_waiting_wh",
        "waiting_times",
        "ticket_slas",
        "feedback_rating",
        "labels",
        "count_agent_replies",
        "fields",
    ):
        assert k in t
    assert t["id"] == 20010
    assert t["date_created"].endswith("+0000") and ts(t["date_created"])
    assert set(t["fields"]) == {"1", "2"} and set(t["fields"]["2"]) == {"aliases", "value"}
    assert get(srv, "/tickets/1").status_code == 404


def test_ordering(srv):
    desc = get(srv, "/tickets", order_by="date_created", order_dir="desc", count=200).json()["data"]
    keys = [(ts(t["date_created"]), t["id"]) for t in desc]
    assert keys == sorted(keys, reverse=True)
    asc = get(srv, "/tickets", order_by="date_status", count=200, page=2).json()["data"]
    keys = [(ts(t["date_status"]), t["id"]) for t in asc]
    assert keys == sorted(keys)
    ids = [t["id"] for t in get(srv, "/tickets", order_dir="desc", count=50).json()["data"]]
    assert ids == sorted(ids, reverse=True)
    assert get(srv, "/tickets", order_by="subject").status_code == 400


def test_filters(srv):
    chat = get(srv, "/tickets", department=3, count=200).json()
    assert chat["data"] and all(t["department"] == 3 for t in chat["data"])
    spam = get(srv, "/tickets", status="hidden", count=200).json()["data"]
    assert spam and all(t["status"] == "hidden" for t in spam)


def test_include_linked(srv):
    body = get(srv, "/tickets", count=50, page=4, include="person,organization,department,agent").json()
    data, linked = body["data"], body["linked"]
    assert set(linked["person"]) == {str(t["person"]) for t in data}
    assert set(linked["organization"]) == {str(t["organization"]) for t in data if t["organization"]}
    assert set(linked["department"]) == {str(t["department"]) for t in data}
    assert set(linked["agent"]) == {str(t["agent"]) for t in data if t["agent"]}
    for pid, person in linked["person"].items():
        assert person["id"] == int(pid) and person["is_agent"] is False
        assert set(person["fields"]) == {"1", "3"}
    only_person = get(srv, "/tickets", count=5, include="person").json()["linked"]
    assert set(only_person) == {"person"}


def test_other_endpoints(srv, world):
    deps = get(srv, "/ticket_departments").json()["data"]
    assert {d["id"]: d["title"] for d in deps} == {1: "Call Center DJPK", 2: "HAI Kemenkeu", 3: "Live Chat"}
    agents = get(srv, "/agents").json()["data"]
    assert sorted(a["name"] for a in agents) == sorted(AGENT_NAMES)
    assert all(a["is_agent"] and not a["is_disabled"] for a in agents)
    people = fetch_all(srv, "/people")
    assert len(people) == len(world.people) and all(p["is_agent"] is False for p in people)
    orgs = fetch_all(srv, "/organizations")
    assert len(orgs) == len(world.organizations) and set(orgs[0]) == {"id", "name", "fields", "date_created"}
    assert get(srv, "/people/6").json()["data"]["id"] == 6
    assert get(srv, "/nope").status_code == 404


def test_documented_meta_style():
    with DeskproStandIn(seed=2023, api_key=KEY, meta_style="documented") as s:
        body = get(s, "/tickets", count=100).json()
        total = body["meta"]["total"]
        assert body["meta"] == {"total": total, "page": 1, "per_page": 100, "total_pages": math.ceil(total / 100)}
        assert body["links"]["prev"] is None and "page=2" in body["links"]["next"]
        nxt = requests.get(body["links"]["next"], headers=AUTH, timeout=10).json()
        assert nxt["meta"]["page"] == 2 and nxt["data"][0]["id"] == body["data"][-1]["id"] + 1
        last = requests.get(body["links"]["last"], headers=AUTH, timeout=10).json()
        assert last["links"]["next"] is None and last["meta"]["page"] == last["meta"]["total_pages"]


def test_fault_rate_limit(srv):
    srv.faults.rate_limit(n=2, retry_after=7)
    assert get(srv, "/tickets", headers={}).status_code == 401  # unauthenticated: fault not consumed
    for _ in range(2):
        r = get(srv, "/tickets")
        assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    assert get(srv, "/tickets").status_code == 200


def test_fault_server_error(srv):
    srv.faults.server_error(n=1)
    assert get(srv, "/people").status_code == 500
    assert get(srv, "/people").status_code == 200


def test_fault_timeout(srv):
    srv.faults.timeout(n=1, seconds=1)
    with pytest.raises(requests.exceptions.Timeout):
        requests.get(srv.base_url + "/tickets", headers=AUTH, timeout=0.3)
    assert requests.get(srv.base_url + "/tickets", headers=AUTH, timeout=0.5).status_code == 200


def test_fault_malformed_page(srv):
    srv.faults.malformed_page(path="/tickets", page=2)
    assert get(srv, "/tickets", page=1).json()["data"]
    for _ in range(2):  # stays broken until cleared
        r = get(srv, "/tickets", page=2)
        assert r.status_code == 200
        with pytest.raises(ValueError):
            r.json()
    srv.faults.clear()
    assert get(srv, "/tickets", page=2).json()["data"]
    srv.faults.malformed_page(path="/tickets", page=3, n=1, kind="no_data")
    assert "data" not in get(srv, "/tickets", page=3).json()
    assert get(srv, "/tickets", page=3).json()["data"]


def test_request_log(srv):
    srv.request_log.clear()
    get(srv, "/tickets", count=3)
    get(srv, "/tickets", headers={})
    assert srv.request_log == [("GET", "/api/v2/tickets?count=3", 200), ("GET", "/api/v2/tickets", 401)]


def test_as_of_hides_future_and_rolls_back(srv, world):
    as_of = "2023-06-01T00:00:00+00:00"
    cut = datetime.fromisoformat(as_of)
    srv.set_as_of(as_of)
    tickets = fetch_all(srv)
    assert len(tickets) == sum(1 for t in world.tickets if ts(t["date_created"]) <= cut)
    assert all(ts(t["date_created"]) <= cut for t in tickets)
    for t in tickets:
        for k in (
            "date_first_agent_assign",
            "date_first_agent_reply",
            "date_last_agent_reply",
            "date_resolved",
            "date_status",
        ):
            assert t[k] is None or ts(t[k]) <= cut
    # A ticket resolved after as_of is still waiting for an agent.
    final = {t["id"]: t for t in world.tickets}
    pending = [t for t in tickets if final[t["id"]]["status"] == "resolved" and t["status"] != "resolved"]
    assert pending
    for t in pending:
        assert t["status"] == "awaiting_agent" and t["date_resolved"] is None and t["feedback_rating"] is None
        assert t["date_status"] in (t["date_created"], t["date_first_agent_assign"])
    # Spam not yet flagged at as_of is an ordinary ticket then.
    assert all(t["hidden_status"] is None for t in tickets if t["status"] != "hidden")
    # People created later are not served either.
    assert all(ts(p["date_created"]) <= cut for p in fetch_all(srv, "/people"))
    newest = max(t["id"] for t in world.tickets)
    assert get(srv, f"/tickets/{newest}").status_code == 404
    # A later run sees the ticket settled.
    tid = pending[0]["id"]
    srv.set_as_of(None)
    assert get(srv, f"/tickets/{tid}").json()["data"] == public(final[tid])


def test_as_of_constructor():
    with DeskproStandIn(seed=2023, api_key=KEY, as_of="2023-01-01T00:00:00+07:00") as s:
        tickets = fetch_all(s)
    assert tickets and all(ts(t["date_created"]) < datetime(2022, 12, 31, 17, tzinfo=UTC) for t in tickets)
