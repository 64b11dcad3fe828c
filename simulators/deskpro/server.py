"""A deterministic local stand-in for the Deskpro REST API v2.

Serves the Deskpro part of the simulated world (``simulators.scenario.deskpro``)
over HTTP the way a real Deskpro answers an admin API key: same paths, auth,
envelopes, field names and date format. Only reads (GET) are implemented.

    with DeskproStandIn(seed=2023, api_key="secret-key") as srv:
        requests.get(srv.base_url + "/tickets", headers={"Authorization": "key secret-key"})

The server pretends "now" is ``as_of``: tickets, people and organizations
created later are not served, and anything a ticket reached after ``as_of``
(replies, resolution, spam/delete, feedback) is rolled back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, time as dtime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from simulators.common.http import Faults as BaseFaults, HttpError, StandInServer, int_param, json_bytes as _json_bytes
from simulators.scenario.deskpro import (
    DeskproWorld,
    Mess,
    count_by_channel_month,
    format_ts,
    generate_deskpro_world,
    parse_ts,
)
from simulators.scenario.world import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, LOCAL_TZ, UTC, parse_date

API_PREFIX = "/api/v2"
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 200
META_STYLES = ("pagination", "documented")
TICKET_ORDER_FIELDS = ("id", "date_created", "date_status")
AS_OF_GRACE = timedelta(days=14)
_ID_PATH = re.compile(r"^/(tickets|people|organizations|ticket_departments|agents)(?:/(\d+))?/?$")


# --------------------------------------------------------------------- the world


@lru_cache(maxsize=8)
def _world(seed: int, start: str, end: str, mess: Mess) -> DeskproWorld:
    # Cached and shared between servers: treat as read-only.
    return generate_deskpro_world(seed, start, end, mess)


def load_world(
    seed: int = DEFAULT_SEED, start: str | date = DEFAULT_START, end: str | date = DEFAULT_END, mess: bool | Mess = True
) -> DeskproWorld:
    """The generated world behind a stand-in (cached; do not mutate)."""
    return _world(seed, str(parse_date(start)), str(parse_date(end)), Mess.coerce(mess))


def expected_counts(
    seed: int = DEFAULT_SEED, start: str | date = DEFAULT_START, end: str | date = DEFAULT_END, mess: bool | Mess = True
) -> dict[tuple[str, str], int]:
    """Countable (non-spam, non-deleted) tickets by (channel, local "YYYY-MM").

    Channels: "email_call_center", "hai_kemenkeu", "live_chat". Computed from the
    generated world in its final state (i.e. with an ``as_of`` after every
    ticket settled, which the default ``as_of`` is).
    """
    return count_by_channel_month(load_world(seed, start, end, mess).tickets)


def parse_as_of(value: str | datetime | date | None, end: str | date = DEFAULT_END) -> datetime:
    """An aware UTC datetime. None = local midnight of ``end`` + 14 days; naive = UTC."""
    if value is None:
        local_end = datetime.combine(parse_date(end), dtime(0, 0), LOCAL_TZ)
        return (local_end + AS_OF_GRACE).astimezone(UTC)
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, dtime(0, 0))
    else:
        dt = datetime.fromisoformat(str(value).strip())
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def ticket_as_of(ticket: dict[str, Any], as_of: datetime) -> dict[str, Any] | None:
    """The ticket as the API shows it at ``as_of``; None if not created yet."""
    created = parse_ts(ticket["date_created"])
    assert created is not None
    if created > as_of:
        return None
    sim = ticket["_sim"]
    view = _public(ticket)
    final_at = parse_ts(sim["final_at"])
    assert final_at is not None
    if final_at <= as_of:
        feedback_at = parse_ts(sim["feedback_at"])
        if feedback_at is not None and feedback_at > as_of:
            view["feedback_rating"] = None
        return view
    # Not settled yet: roll the status back to "waiting for an agent".
    assign = parse_ts(ticket["date_first_agent_assign"])
    if assign is not None and assign > as_of:
        assign = None
    replies = [r for r in sim["agent_reply_times"] if parse_ts(r) <= as_of]  # type: ignore[operator]
    view.update(
        {
            "status": "awaiting_agent",
            "hidden_status": None,
            "agent": ticket["agent"] if assign is not None else None,
            "date_first_agent_assign": format_ts(assign),
            "date_first_agent_reply": replies[0] if replies else None,
            "date_last_agent_reply": replies[-1] if replies else None,
            "date_resolved": None,
            "date_archived": None,
            "date_status": format_ts(assign or created),
            "feedback_rating": None,
            "count_agent_replies": len(replies),
        }
    )
    if replies:
        view["total_user_waiting"] = ticket["total_to_first_reply"]
        view["total_user_waiting_wh"] = ticket["total_to_first_reply_wh"]
    else:
        view.update(
            {
                "total_to_first_reply": 0,
                "total_user_waiting": 0,
                "total_to_first_reply_wh": 0,
                "total_user_waiting_wh": 0,
            }
        )
    return view


class _Snapshot:
    """Everything served at one ``as_of``: public objects and sort orders."""

    def __init__(self, world: DeskproWorld, as_of: datetime) -> None:
        self.as_of = as_of
        tickets = [v for v in (ticket_as_of(t, as_of) for t in world.tickets) if v is not None]
        self.tickets = sorted(tickets, key=lambda t: t["id"])
        self.people = [_public(p) for p in world.people if parse_ts(p["date_created"]) <= as_of]  # type: ignore[operator]
        self.organizations = [dict(o) for o in world.organizations if parse_ts(o["date_created"]) <= as_of]  # type: ignore[operator]
        self.departments = [dict(d) for d in world.departments]
        self.agents = [dict(a) for a in world.agents]
        self.by_id: dict[str, dict[int, dict[str, Any]]] = {
            "tickets": {t["id"]: t for t in self.tickets},
            "people": {p["id"]: p for p in self.people},
            "organizations": {o["id"]: o for o in self.organizations},
            "ticket_departments": {d["id"]: d for d in self.departments},
            "agents": {a["id"]: a for a in self.agents},
        }
        self._orders: dict[str, list[dict[str, Any]]] = {"id": self.tickets}

    def tickets_by(self, order_by: str) -> list[dict[str, Any]]:
        if order_by not in self._orders:
            # Deskpro dates sort lexically (fixed width, all UTC); id breaks ties.
            self._orders[order_by] = sorted(self.tickets, key=lambda t: (t[order_by] or "", t["id"]))
        return self._orders[order_by]


# ------------------------------------------------------------------------ faults


class Faults(BaseFaults):
    """Injected failures for the next requests to authenticated /api/v2 paths.

    Per request, in this order: a pending timeout sleeps and then the request
    goes on; a pending rate limit answers 429; a pending server error answers
    500; a matching malformed page answers 200 with a broken body.
    """

    def _clear(self) -> None:
        self._pages: list[dict[str, Any]] = []
        self.ignore_order_by = False
        self.ticket_overrides: dict[int, dict[str, Any]] = {}

    def page(self, kind: str, page: int = 2, path: str = "/tickets") -> None:
        """A listing page that answers 200 with a well-formed but wrong body, as real
        servers and proxies do: "empty" (no records), "short" (its last record
        missing), "drift" (the total grows by one from this page on, as when a ticket
        is created while a client pages)."""
        if kind not in ("empty", "short", "drift"):
            raise ValueError(f"unknown page fault {kind!r}")
        with self._lock:
            self._pages.append({"path": "/" + path.strip("/"), "page": int(page), "kind": kind})

    def override_ticket(self, ticket_id: int, **fields: Any) -> None:
        """Serve ticket ``ticket_id`` with ``fields`` replaced (e.g. a NUL in its subject)."""
        with self._lock:
            self.ticket_overrides.setdefault(ticket_id, {}).update(fields)

    def _page_faults(self, path: str, page: int) -> list[str]:
        with self._lock:
            return [
                p["kind"]
                for p in self._pages
                if p["path"] == "/" + path.strip("/")
                and (p["page"] == page or (p["kind"] == "drift" and page >= p["page"]))
            ]

    def malformed_page(
        self, path: str = "/tickets", page: int = 2, n: int | None = None, kind: str = "invalid_json"
    ) -> None:
        """Requests for ``path`` (relative to /api/v2) with ``page`` answer 200 with a broken body.

        ``n`` = how many times (None = until ``clear()``). ``kind``: "invalid_json"
        (truncated JSON), "no_data" (valid JSON without "data") or "html".
        """
        if path.startswith(API_PREFIX):
            path = path[len(API_PREFIX) :]
        self._add_malformed(kind, n, path="/" + path.strip("/"), page=int(page))

    def _take_last(self, path: str, page: int) -> tuple[str, Any] | None:  # type: ignore[override]
        kind = self._pop_malformed(lambda m: m["path"] == "/" + path.strip("/") and m["page"] == page)
        return None if kind is None else ("malformed", kind)


# ------------------------------------------------------------------------ server


class _ApiError(HttpError):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, message, headers)
        self.status, self.code = status, code

    def payload(self) -> dict[str, Any]:
        return {"status": self.status, "code": self.code, "message": self.message}


def _int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    return int_param(
        query, name, default, lambda n: _ApiError(400, "invalid_input", f"Parameter '{n}' must be an integer")
    )


def _list_param(query: dict[str, list[str]], name: str) -> list[str]:
    out: list[str] = []
    for v in query.get(name, []):
        out += [p.strip() for p in v.split(",") if p.strip()]
    return out


class DeskproStandIn(StandInServer):
    """Local Deskpro API v2 stand-in on 127.0.0.1 (port 0 = any free port)."""

    server_version = "DeskproStandIn/1.0"
    methods = ("GET", "POST", "PUT", "PATCH", "DELETE")
    api_prefix = API_PREFIX
    thread_name = "deskpro-standin"

    def __init__(
        self,
        seed: int = DEFAULT_SEED,
        api_key: str = "secret-key",
        start: str | date = DEFAULT_START,
        end: str | date = DEFAULT_END,
        as_of: str | datetime | None = None,
        meta_style: str = "pagination",
        mess: bool | Mess = True,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        if meta_style not in META_STYLES:
            raise ValueError(f"meta_style must be one of {META_STYLES}")
        super().__init__(host, port, verbose)
        self.seed = seed
        self.api_key = api_key
        self.start_date = str(parse_date(start))
        self.end_date = str(parse_date(end))
        self.meta_style = meta_style
        self.mess = Mess.coerce(mess)
        self.faults = Faults()
        self.world = load_world(seed, self.start_date, self.end_date, self.mess)
        self._snapshots: dict[datetime, _Snapshot] = {}
        self._as_of = parse_as_of(as_of, self.end_date)

    # ---------------------------------------------------------------- control

    @property
    def as_of(self) -> datetime:
        return self._as_of

    def set_as_of(self, value: str | datetime | None) -> None:
        """Pretend "now" is ``value`` from the next request on (None = default)."""
        with self._lock:
            self._as_of = parse_as_of(value, self.end_date)

    def snapshot(self) -> _Snapshot:
        """What the API serves at the current ``as_of``."""
        with self._lock:
            as_of = self._as_of
            snap = self._snapshots.get(as_of)
            if snap is None:
                snap = self._snapshots[as_of] = _Snapshot(self.world, as_of)
            return snap

    # --------------------------------------------------------------- requests

    def handle(self, method: str, raw_path: str, headers: Any, raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(raw_path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        if not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
            raise _ApiError(404, "not_found", f"No route for {path}")
        self._authenticate(headers)
        rel = path[len(API_PREFIX) :] or "/"

        page = _int_param(query, "page", 1)
        action = self.take_faults(path=rel, page=max(page, 1))
        if action is not None:
            kind, arg = action
            if kind == "rate_limit":
                raise _ApiError(429, "rate_limited", "Too many requests", {"Retry-After": str(arg)})
            if kind == "server_error":
                raise _ApiError(500, "internal_error", "An internal error occurred")
            return 200, *self._malformed_body(arg)

        if method != "GET":
            raise _ApiError(405, "method_not_allowed", f"{method} is not supported by the stand-in")
        m = _ID_PATH.match(rel)
        if m is None:
            raise _ApiError(404, "not_found", f"No route for {path}")
        resource, ident = m.group(1), m.group(2)
        snap = self.snapshot()
        include = {s.lower() for s in _list_param(query, "include")}
        if ident is not None:
            obj = snap.by_id[resource].get(int(ident))
            if obj is None:
                raise _ApiError(404, "not_found", f"{resource} {ident} not found")
            body = {"data": obj, "meta": {}, "linked": self._linked(snap, resource, [obj], include)}
            return 200, _json_bytes(body), {}
        items = self._list(snap, resource, query)
        body = self._envelope(snap, resource, items, query, path, include)
        for kind in self.faults._page_faults(rel, max(page, 1)):
            if kind == "empty":
                body["data"] = []
            elif kind == "short":
                body["data"] = body["data"][:-1]
            else:  # drift
                meta = body["meta"].get("pagination", body["meta"])
                meta["total"] += 1
        return 200, _json_bytes(body), {}

    def internal_error(self, exc: Exception) -> HttpError:
        return _ApiError(500, "internal_error", f"stand-in error: {exc!r}")

    def _authenticate(self, headers: Any) -> None:
        auth = (headers.get("Authorization") or "").strip()
        scheme, _, key = auth.partition(" ")
        if scheme.lower() != "key" or key.strip() != self.api_key:
            raise _ApiError(401, "invalid_auth", "Missing or invalid API key")
        agent_id = headers.get("X-DeskPRO-Agent-ID")
        if agent_id is not None:
            known = {a["id"] for a in self.world.agents}
            try:
                ok = int(agent_id.strip()) in known
            except ValueError:
                ok = False
            if not ok:
                raise _ApiError(403, "permission_denied", f"Agent {agent_id!r} does not exist or may not act")

    def _list(self, snap: _Snapshot, resource: str, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        if resource != "tickets":
            return {
                "people": snap.people,
                "organizations": snap.organizations,
                "ticket_departments": snap.departments,
                "agents": snap.agents,
            }[resource]
        order_by = (query.get("order_by") or ["id"])[-1] or "id"
        order_dir = ((query.get("order_dir") or ["asc"])[-1] or "asc").lower()
        if self.faults.ignore_order_by:  # as a server (or proxy) that drops the parameters
            order_by, order_dir = "id", "asc"
        if order_by not in TICKET_ORDER_FIELDS:
            raise _ApiError(400, "invalid_input", f"order_by must be one of {', '.join(TICKET_ORDER_FIELDS)}")
        if order_dir not in ("asc", "desc"):
            raise _ApiError(400, "invalid_input", "order_dir must be asc or desc")
        items = snap.tickets_by(order_by)
        overrides = self.faults.ticket_overrides
        if overrides:  # an edited ticket moves in the order, as in the real listing
            items = sorted(
                ({**t, **overrides.get(t["id"], {})} for t in items), key=lambda t: (t[order_by] or "", t["id"])
            )
        if order_dir == "desc":
            items = items[::-1]
        filters: list[Callable[[dict[str, Any]], bool]] = []
        for name in ("department", "person", "organization", "agent"):
            raw = _list_param(query, name)
            if raw:
                try:
                    wanted = {int(v) for v in raw}
                except ValueError:
                    raise _ApiError(400, "invalid_input", f"Parameter '{name}' must be integer ids") from None
                filters.append(lambda t, n=name, w=wanted: t[n] in w)
        statuses = set(_list_param(query, "status"))
        if statuses:
            filters.append(lambda t: t["status"] in statuses)
        if filters:
            items = [t for t in items if all(f(t) for f in filters)]
        return items

    def _linked(
        self, snap: _Snapshot, resource: str, items: list[dict[str, Any]], include: set[str]
    ) -> dict[str, dict[str, Any]]:
        linked: dict[str, dict[str, Any]] = {}
        refs = {
            "tickets": {
                "person": "people",
                "organization": "organizations",
                "department": "ticket_departments",
                "agent": "agents",
            },
            "people": {"organization": "organizations"},
        }.get(resource, {})
        for name in sorted(include):
            table = refs.get(name)
            if table is None:
                continue
            found: dict[str, Any] = {}
            for item in items:
                ref = item.get(name)
                if ref is not None and ref in snap.by_id[table]:
                    found[str(ref)] = snap.by_id[table][ref]
            linked[name] = found
        return linked

    def _envelope(
        self,
        snap: _Snapshot,
        resource: str,
        items: list[dict[str, Any]],
        query: dict[str, list[str]],
        path: str,
        include: set[str],
    ) -> dict[str, Any]:
        per_page = min(max(_int_param(query, "count", DEFAULT_PER_PAGE), 1), MAX_PER_PAGE)
        page = max(_int_param(query, "page", 1), 1)
        total = len(items)
        total_pages = math.ceil(total / per_page)
        data = items[(page - 1) * per_page : page * per_page]
        linked = self._linked(snap, resource, data, include)
        if self.meta_style == "pagination":
            meta = {
                "pagination": {
                    "total": total,
                    "count": len(data),
                    "per_page": per_page,
                    "current_page": page,
                    "total_pages": total_pages,
                }
            }
            return {"data": data, "meta": meta, "linked": linked}

        def link(p: int) -> str:
            q = {k: v[-1] for k, v in query.items()}
            q["page"] = str(p)
            return f"http://{self.host}:{self.port}{path}?{urlencode(q)}"

        last = max(total_pages, 1)
        links = {
            "next": link(page + 1) if page < total_pages else None,
            "prev": link(page - 1) if page > 1 else None,
            "first": link(1),
            "last": link(last),
        }
        meta = {"total": total, "page": page, "per_page": per_page, "total_pages": total_pages}
        return {"data": data, "meta": meta, "links": links, "linked": linked}

    @staticmethod
    def _malformed_body(kind: str) -> tuple[bytes, dict[str, str]]:
        if kind == "no_data":
            return _json_bytes({"meta": {}, "linked": {}, "message": "ok"}), {}
        if kind == "html":
            return (
                b"<html><body><h1>Service temporarily unavailable</h1></body></html>",
                {"Content-Type": "text/html; charset=utf-8"},
            )
        return b'{"data": [{"id": 1, "subject": "Penyaluran DA', {}
