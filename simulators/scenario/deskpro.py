"""Deskpro part of the simulated world: tickets, people, organizations.

Generated month by month (``iter_deskpro_months``), deterministic by seed, with
no clock reads and no global ``random``. Who writes, from where, when, about what,
to which agent, whether it was escalated and the rating all come from the
consultation plan (``simulators.scenario.consultations``), shared by every channel;
this module renders the plan's HAI Kemenkeu, Live Chat and Email Call Center
consultations as Deskpro tickets and adds Deskpro's own mess (spam, deleted
tickets, late status changes, typos in subjects and names). Each ticket is produced in its final
state ("as known long after the range") in the Deskpro API v2 shape, plus a
private ``_sim`` dict (reply times, when the final status was reached, ...) that
the stand-in server uses to roll a ticket back to what an earlier ``as_of``
would have seen. ``_sim`` is never served.

Channels in Deskpro terms:

==================  ===================  ==========  ===================
channel             creation_system      department  linked_chat
==================  ===================  ==========  ===================
email_call_center   gateway.person       1           null
hai_kemenkeu        web.api              2           null
live_chat           web.person.widget    3           chat id (int)
==================  ===================  ==========  ===================

Countable tickets are the non-hidden ones; spam and deleted tickets have
``status == "hidden"`` and ``hidden_status`` "spam" / "deleted" and may sit in
any department.
"""

from __future__ import annotations

import random
import string
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simulators.scenario import world
from simulators.scenario.consultations import AGENTS as AGENT_NAMES, Consultation, Person, plan_month
from simulators.scenario.world import (
    LOCAL_TZ,
    UTC,
    TimePattern,
    iter_months,
    local_month,
    local_timestamp,
    next_office_time,
    typo,
    working_seconds,
)

SOURCE = "deskpro"

# Custom field ids. Ticket: 1 = Daerah (region as typed), 2 = Topik (topic).
# Person: 1 = Daerah, 3 = Instansi (institution as typed).
FIELD_DAERAH = "1"
FIELD_TOPIK = "2"
FIELD_INSTANSI = "3"

TICKET_ID_START = 20001
CHAT_ID_START = 7001
ORG_ID_START = 1


@dataclass(frozen=True)
class ChannelSpec:
    key: str
    department: int
    department_title: str
    creation_system: str
    pattern: TimePattern
    is_chat: bool = False


CHANNELS: dict[str, ChannelSpec] = {
    "email_call_center": ChannelSpec(
        "email_call_center", 1, "Call Center DJPK", "gateway.person", TimePattern(0.12, 0.82)
    ),
    "hai_kemenkeu": ChannelSpec("hai_kemenkeu", 2, "HAI Kemenkeu", "web.api", TimePattern(0.15, 0.78)),
    "live_chat": ChannelSpec("live_chat", 3, "Live Chat", "web.person.widget", TimePattern(0.05, 0.93), is_chat=True),
}
CHANNEL_BY_CREATION_SYSTEM = {c.creation_system: c.key for c in CHANNELS.values()}

DEPARTMENTS: list[dict[str, Any]] = [
    {
        "id": c.department,
        "title": c.department_title,
        "parent": None,
        "is_tickets_enabled": True,
        "is_chat_enabled": c.is_chat,
    }
    for c in CHANNELS.values()
]

AGENTS: list[dict[str, Any]] = [
    {
        "id": i,
        "name": n,
        "first_name": n,
        "last_name": "",
        "primary_email": f"{n.lower()}@kemenkeu.go.id",
        "is_agent": True,
        "is_disabled": False,
    }
    for i, n in enumerate(AGENT_NAMES, start=1)
]
PERSON_ID_START = len(AGENTS) + 1  # agents and people share one id space in Deskpro


SUBJECTS = {
    "DAU": [
        "Penyaluran DAU bulan {bulan}",
        "Pertanyaan alokasi DAU TA {tahun}",
        "DAU yang ditentukan penggunaannya",
        "Mohon info penyaluran DAU",
    ],
    "DBH": ["Rincian DBH SDA {tahun}", "Kurang bayar DBH", "Pertanyaan DBH CHT", "Penyaluran DBH triwulan {tw}"],
    "DAK": ["Syarat salur DAK Fisik", "DAK Non Fisik BOS", "Rekonsiliasi DAK", "Pertanyaan juknis DAK {tahun}"],
    "Transfer": ["Konfirmasi transfer ke daerah", "Rekening kas umum daerah", "TKD belum masuk RKUD"],
    "PDRD": ["Pertanyaan perda PDRD", "Evaluasi raperda pajak daerah", "Retribusi daerah"],
    "JF AKPD": ["Inpassing JF Analis Keuangan Pusat dan Daerah", "Angka kredit JF AKPD", "Formasi JF AKPD"],
    "SHSR": ["Standar harga satuan regional {tahun}", "Permintaan SHSR"],
    "Otsus": ["Dana Otsus Papua", "Penyaluran Dana Otsus tahap {tw}"],
    "Hibah": ["Hibah ke daerah", "Pertanyaan hibah daerah"],
    "IF": ["Insentif Fiskal {tahun}", "Kriteria Insentif Fiskal"],
    "DID": ["Dana Insentif Daerah", "Penyaluran DID"],
    "Pembiayaan": ["Pinjaman daerah", "Pertanyaan pembiayaan utang daerah", "Pinjaman PEN daerah"],
    "PIKD": ["Akses portal PIKD", "Data PIKD tidak tampil", "Pengisian SIKD"],
    "Aplikasi": [
        "Lupa password aplikasi SIKD",
        "Tidak bisa login OM-SPAN TKD",
        "Error upload di aplikasi",
        "Reset akun aplikasi",
    ],
    "Surat Masuk": ["Surat permohonan", "Penyampaian surat dari Pemda", "Tindak lanjut surat nomor {nomor}"],
    "Reservasi": ["Reservasi kunjungan ke DJPK", "Jadwal konsultasi tatap muka"],
    "Permintaan Data": ["Permintaan data APBD {tahun}", "Permohonan data untuk penelitian", "Data TKD per daerah"],
    "Video Conference": ["Permohonan vicon", "Link zoom konsultasi"],
    "Lainnya": ["Pertanyaan", "Mohon informasi", "Konsultasi", "(no subject)"],
}

SPAM_SUBJECTS = [
    "Jasa SEO murah",
    "Pinjaman online cepat cair",
    "You have won $1,000,000",
    "Crypto investment opportunity",
    "Undangan webinar berbayar",
    "Backlink service for your website",
    "Obat herbal asli",
    "RE: invoice overdue",
    "Slot gacor hari ini",
    "Your mailbox is full",
    "Partnership proposal",
    "Promo tiket pesawat",
]
SPAM_NAMES = [
    "SEO Expert",
    "Kevin Marketing",
    "Support Team",
    "Lucky Winner Dept",
    "Admin Mailbox",
    "Digital Agency",
    "Promo Center",
    "Jessica Brown",
]
SPAM_DOMAINS = ["mail.ru", "promo-mail.biz", "outlook.com", "seo-rank.xyz", "gmail.com"]

ESCALATION_LABEL = "eskalasi"  # the label agents put on a ticket they escalate


@dataclass(frozen=True)
class Mess:
    """Switchable realism. ``Mess.coerce(True)`` turns everything on, ``False`` off."""

    spam: bool = True  # extra spam tickets (hidden/spam), not counted
    deleted: bool = True  # extra deleted tickets (hidden/deleted), not counted
    late_status: bool = True  # ~8% of tickets resolved weeks after creation
    typos: bool = True  # keyboard slips in subjects, odd casing in names
    boundary: bool = True  # 1-2 email tickets per month in the first 7 local hours (previous month in UTC)

    @classmethod
    def coerce(cls, value: bool | Mess | dict[str, bool] | None) -> Mess:
        if isinstance(value, Mess):
            return value
        if isinstance(value, dict):
            return cls(**value)
        if value is None or value is True:
            return cls()
        return cls(False, False, False, False, False)


def format_ts(dt: datetime | None) -> str | None:
    """Deskpro date format: ``2023-12-04T02:02:02+0000`` (UTC)."""
    if dt is None:
        return None
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_ts(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")


def channel_of(ticket: dict[str, Any]) -> str | None:
    """Channel key from a ticket's ``creation_system`` (what the pipeline maps on)."""
    return CHANNEL_BY_CREATION_SYSTEM.get(ticket.get("creation_system"))


def is_countable(ticket: dict[str, Any]) -> bool:
    return ticket.get("status") != "hidden" and ticket.get("hidden_status") is None


def count_by_channel_month(tickets: Iterable[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Countable tickets by (channel, local "YYYY-MM" of date_created)."""
    counts: Counter[tuple[str, str]] = Counter()
    for t in tickets:
        if is_countable(t):
            counts[(channel_of(t) or "unknown", local_month(parse_ts(t["date_created"])))] += 1
    return dict(counts)


@dataclass
class DeskproMonth:
    month: str
    tickets: list[dict[str, Any]]
    people: list[dict[str, Any]]  # people first seen this month
    organizations: list[dict[str, Any]]  # organizations first seen this month


@dataclass
class DeskproWorld:
    seed: int
    start: str
    end: str
    mess: Mess
    months: list[str] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    departments: list[dict[str, Any]] = field(default_factory=lambda: [dict(d) for d in DEPARTMENTS])
    agents: list[dict[str, Any]] = field(default_factory=lambda: [dict(a) for a in AGENTS])


def _s(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=rng.randint(int(low), int(high)))


def _office(rng: random.Random, dt: datetime) -> datetime:
    """``dt`` if agents are at work then, otherwise a little after the next opening."""
    at = next_office_time(dt)
    return at if at == dt else at + _s(rng, 60, 2400)


class DeskproGenerator:
    """Stateful month-by-month generator; call ``month()`` for consecutive months."""

    def __init__(self, seed: int = world.DEFAULT_SEED, mess: bool | Mess = True) -> None:
        self.seed = seed
        self.mess = Mess.coerce(mess)
        self._next_ticket = TICKET_ID_START
        self._next_person = PERSON_ID_START
        self._next_org = ORG_ID_START
        self._next_chat = CHAT_ID_START
        self._person_by_citizen: dict[int, dict[str, Any]] = {}
        self._org_by_name: dict[str, dict[str, Any]] = {}
        self._spam_people: list[dict[str, Any]] = []
        self._refs: set[str] = set()

    # ------------------------------------------------------------------ month

    def month(self, month: str) -> DeskproMonth:
        seed = self.seed
        # (created, kind, channel, the plan's consultation or the one a deleted ticket duplicates)
        items: list[tuple[datetime, str, str, Consultation | None]] = []
        plan = [c for c in plan_month(seed, month, boundary=self.mess.boundary).consultations if c.channel in CHANNELS]
        for c in plan:
            items.append((c.created_at, "valid", c.channel, c))
        noise_pattern = TimePattern(weekend_weight=0.8, office_share=0.4)
        for kind, enabled, low, high, weights in (
            ("spam", self.mess.spam, 4, 18, [70, 10, 20]),
            ("deleted", self.mess.deleted, 1, 5, [70, 15, 15]),
        ):
            nrng = random.Random(f"{seed}/{SOURCE}/{month}/{kind}")
            k = nrng.randint(low, high)
            if not enabled:
                continue
            for _ in range(k):
                ch = nrng.choices(list(CHANNELS), weights)[0]
                pattern = noise_pattern if kind == "spam" else CHANNELS[ch].pattern
                original = nrng.choice(plan) if kind == "deleted" and plan else None
                items.append((local_timestamp(nrng, month, pattern), kind, ch, original))
        items.sort(key=lambda p: p[0])  # stable: ties keep plan order

        crng = random.Random(f"{seed}/{SOURCE}/{month}/content")
        yrng = random.Random(f"{seed}/{SOURCE}/{month}/typos")
        people_before, orgs_before = self._next_person, self._next_org
        new_people: list[dict[str, Any]] = []
        new_orgs: list[dict[str, Any]] = []
        tickets = []
        for created, kind, ch, c in items:
            if kind == "valid":
                assert c is not None
                t = self._valid_ticket(crng, yrng, c, new_people, new_orgs)
            elif kind == "spam":
                t = self._spam_ticket(crng, created, ch, new_people)
            else:
                t = self._deleted_ticket(crng, yrng, created, ch, c, new_people, new_orgs)
            tickets.append(t)
        assert len(new_people) == self._next_person - people_before
        assert len(new_orgs) == self._next_org - orgs_before
        return DeskproMonth(month, tickets, new_people, new_orgs)

    # ---------------------------------------------------------------- helpers

    def _ref(self, rng: random.Random) -> str:
        while True:
            ref = "-".join(
                [
                    "".join(rng.choice(string.ascii_uppercase) for _ in range(4)),
                    "".join(rng.choice(string.digits) for _ in range(4)),
                    "".join(rng.choice(string.ascii_uppercase) for _ in range(4)),
                ]
            )
            if ref not in self._refs:
                self._refs.add(ref)
                return ref

    def _messy(self, yrng: random.Random, text: str | None, p: float = 0.12) -> str | None:
        hit = yrng.random() < p
        if self.mess.typos and hit:
            return typo(yrng, text)
        return text

    def _organization(
        self, crng: random.Random, name: str, person_created: datetime, new_orgs: list[dict[str, Any]]
    ) -> dict[str, Any]:
        org = self._org_by_name.get(name)
        if org is None:
            created = person_created - _s(crng, 3600, 400 * 86400)
            org = {"id": self._next_org, "name": name, "fields": {}, "date_created": format_ts(created)}
            self._next_org += 1
            self._org_by_name[name] = org
            new_orgs.append(org)
        return org

    def _person(
        self,
        crng: random.Random,
        yrng: random.Random,
        c: Consultation,
        ticket_created: datetime,
        new_people: list[dict[str, Any]],
        new_orgs: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """The Deskpro person of the plan's user; created at their first ticket, with what they typed then."""
        user: Person = c.person
        citizen = user.citizen
        person = self._person_by_citizen.get(citizen.index)
        if person is not None:
            return person
        created = ticket_created - _s(crng, 0, 90)
        first, last = citizen.first_name, citizen.last_name
        casing = yrng.random()
        if self.mess.typos and casing < 0.06:
            first, last = first.lower(), last.lower()
        elif self.mess.typos and casing < 0.1:
            first, last = first.upper(), last.upper()
        emails = [user.email]
        if crng.random() < 0.08:
            emails.append(
                user.email.split("@")[0] + "@gmail.com"
                if "gmail" not in user.email
                else user.email.replace("@gmail.com", "@yahoo.co.id")
            )
        org_id = None
        if user.organization:
            org_id = self._organization(crng, user.organization, created, new_orgs)["id"]
        person = {
            "id": self._next_person,
            "name": f"{first} {last}".strip(),
            "first_name": first,
            "last_name": last,
            "primary_email": user.email,
            "emails": emails,
            "organization": org_id,
            "fields": {
                FIELD_DAERAH: {"aliases": [], "value": c.region_text},
                FIELD_INSTANSI: {"aliases": [], "value": c.institution_text},
            },
            "date_created": format_ts(created),
            "is_agent": False,
            "_sim": {"citizen": citizen.index},
        }
        self._next_person += 1
        self._person_by_citizen[citizen.index] = person
        new_people.append(person)
        return person

    def _subject(self, crng: random.Random, yrng: random.Random, created: datetime, channel: str, topic: str) -> str:
        local = created.astimezone(LOCAL_TZ)
        text = crng.choice(SUBJECTS[topic]).format(
            bulan=world.BULAN[local.month - 1],
            tahun=local.year + crng.choice([0, 0, 1]),
            tw=crng.choice(["I", "II", "III", "IV"]),
            nomor=f"{crng.randint(1, 999)}/{local.year}",
        )
        prefix_draw, number = crng.random(), crng.randint(1000000, 9999999)
        if channel == "email_call_center" and prefix_draw < 0.2:
            text = crng.choice(["Re: ", "RE: ", "Fwd: ", "FW: "]) + text
        elif channel == "hai_kemenkeu":
            text = f"HAI#{number} - {text}"
        elif channel == "live_chat":
            text = f"Chat: {text}"
        return self._messy(yrng, text, 0.1) or text

    def _base(self, crng: random.Random, ticket_id: int, created: datetime, channel: str) -> dict[str, Any]:
        spec = CHANNELS[channel]
        linked_chat = None
        if spec.is_chat:
            linked_chat = self._next_chat
            self._next_chat += crng.randint(1, 3)
        return {
            "id": ticket_id,
            "ref": self._ref(crng),
            "subject": "",
            "status": "awaiting_agent",
            "hidden_status": None,
            "department": spec.department,
            "agent": None,
            "agent_team": None,
            "person": None,
            "organization": None,
            "brand": 1,
            "linked_chat": linked_chat,
            "creation_system": spec.creation_system,
            "language": 1,
            "date_created": format_ts(created),
            "date_first_agent_assign": None,
            "date_first_agent_reply": None,
            "date_last_agent_reply": None,
            "date_resolved": None,
            "date_archived": None,
            "date_status": format_ts(created),
            "total_to_first_reply": 0,
            "total_user_waiting": 0,
            "total_to_first_reply_wh": 0,
            "total_user_waiting_wh": 0,
            "waiting_times": [],
            "ticket_slas": [],
            "feedback_rating": None,
            "labels": [],
            "count_agent_replies": 0,
            "fields": {},
        }

    def _take_ticket_id(self) -> int:
        tid = self._next_ticket
        self._next_ticket += 1
        return tid

    # ---------------------------------------------------------------- tickets

    def _valid_ticket(
        self, crng: random.Random, yrng: random.Random, c: Consultation, new_people: list, new_orgs: list
    ) -> dict[str, Any]:
        created, channel = c.created_at, c.channel
        t = self._base(crng, self._take_ticket_id(), created, channel)
        person = self._person(crng, yrng, c, created, new_people, new_orgs)
        topic = c.topic
        agent = AGENT_NAMES.index(c.agent) + 1
        # A rated consultation was resolved and rated soon enough to be seen a fortnight after the month.
        rated = c.rating is not None

        # Timeline: assignment, agent replies, final status.
        if channel == "live_chat":
            assign = created + _s(crng, 5, 60)
            n_replies = crng.choices([1, 2, 3, 4, 6], [30, 30, 20, 12, 8])[0]
            replies = [created + _s(crng, 30, 600)]
            for _ in range(n_replies - 1):
                replies.append(replies[-1] + _s(crng, 20, 900))
            resolve_after = _s(crng, 60, 4 * 3600)
        else:
            lo, hi = (120, 3600) if channel == "email_call_center" else (600, 6 * 3600)
            assign = _office(crng, created) + _s(crng, lo, hi)
            first_gap = _s(crng, 300, 4 * 3600) if channel == "email_call_center" else _s(crng, 1800, 2 * 86400)
            replies = [_office(crng, assign + first_gap)]
            n_replies = crng.choices([1, 2, 3, 4], [55, 28, 12, 5])[0]
            if rated:
                n_replies = 1
            for _ in range(n_replies - 1):
                replies.append(_office(crng, replies[-1] + _s(crng, 2 * 3600, 3 * 86400)))
            resolve_after = _s(crng, 600, 86400 if rated else 3 * 86400)
        outcome = crng.random()
        late_draw, late_days = crng.random(), crng.randint(14, 60)
        feedback_delay = _s(crng, 60, 86400)
        user_reply_delay = _s(crng, 3600, 3 * 86400)
        wait_fracs = [crng.uniform(0.3, 0.7) for _ in replies]

        resolved = None
        if outcome < 0.04 and not rated:
            status, final_at = "awaiting_user", replies[-1]
        elif outcome < 0.06 and not rated:
            status, final_at = "awaiting_agent", replies[-1] + user_reply_delay
        else:
            status = "resolved"
            resolved = replies[-1] + resolve_after
            if self.mess.late_status and late_draw < 0.08 and not rated:
                resolved = max(resolved, _office(crng, created + timedelta(days=late_days)))
            final_at = resolved
        late = (final_at - created) >= timedelta(days=14)

        feedback_at = None
        if rated:
            assert resolved is not None
            feedback_at = resolved + feedback_delay
        to_first = int((replies[0] - created).total_seconds())
        to_first_wh = working_seconds(created, replies[0])
        waiting = to_first
        waiting_wh = to_first_wh
        for prev, nxt, frac in zip(replies, replies[1:], wait_fracs, strict=False):
            waiting += int((nxt - prev).total_seconds() * frac)
            waiting_wh += int(working_seconds(prev, nxt) * frac)

        t.update(
            {
                "subject": self._subject(crng, yrng, created, channel, topic),
                "status": status,
                "agent": agent,
                "person": person["id"],
                "organization": person["organization"],
                "date_first_agent_assign": format_ts(assign),
                "date_first_agent_reply": format_ts(replies[0]),
                "date_last_agent_reply": format_ts(replies[-1]),
                "date_resolved": format_ts(resolved),
                "date_status": format_ts(final_at),
                "total_to_first_reply": to_first,
                "total_user_waiting": waiting,
                "total_to_first_reply_wh": to_first_wh,
                "total_user_waiting_wh": waiting_wh,
                "feedback_rating": c.rating if feedback_at is not None else None,
                "labels": [ESCALATION_LABEL] if c.is_escalated else [],
                "count_agent_replies": len(replies),
                "fields": {
                    FIELD_DAERAH: {"aliases": [], "value": c.region_text},
                    FIELD_TOPIK: {"aliases": [], "value": topic},
                },
            }
        )
        t["_sim"] = {
            "kind": "valid",
            "channel": channel,
            "plan": c.key,
            "citizen": c.person.index,
            "region": c.region.code if c.region else None,
            "agent_reply_times": [format_ts(r) for r in replies],
            "final_at": format_ts(final_at),
            "feedback_at": format_ts(feedback_at),
            "late_status": late,
        }
        return t

    def _spam_ticket(self, crng: random.Random, created: datetime, channel: str, new_people: list) -> dict[str, Any]:
        t = self._base(crng, self._take_ticket_id(), created, channel)
        reuse = crng.random()
        if self._spam_people and reuse < 0.25:
            person = crng.choice(self._spam_people)
        else:
            name = crng.choice(SPAM_NAMES)
            local = "".join(crng.choice(string.ascii_lowercase) for _ in range(crng.randint(5, 10)))
            email = f"{local}{crng.randint(1, 9999)}@{crng.choice(SPAM_DOMAINS)}"
            first, _, last = name.partition(" ")
            person = {
                "id": self._next_person,
                "name": name,
                "first_name": first,
                "last_name": last,
                "primary_email": email,
                "emails": [email],
                "organization": None,
                "fields": {
                    FIELD_DAERAH: {"aliases": [], "value": None},
                    FIELD_INSTANSI: {"aliases": [], "value": None},
                },
                "date_created": format_ts(created - _s(crng, 0, 30)),
                "is_agent": False,
                "_sim": {"citizen": None, "spammer": True},
            }
            self._next_person += 1
            self._spam_people.append(person)
            new_people.append(person)
        hidden_at = created + _s(crng, 60, 36 * 3600)
        t.update(
            {
                "subject": crng.choice(SPAM_SUBJECTS),
                "status": "hidden",
                "hidden_status": "spam",
                "person": person["id"],
                "date_status": format_ts(hidden_at),
                "fields": {FIELD_DAERAH: {"aliases": [], "value": None}, FIELD_TOPIK: {"aliases": [], "value": None}},
            }
        )
        t["_sim"] = {
            "kind": "spam",
            "channel": channel,
            "citizen": None,
            "region": None,
            "agent_reply_times": [],
            "final_at": format_ts(hidden_at),
            "feedback_at": None,
            "late_status": False,
        }
        return t

    def _deleted_ticket(
        self,
        crng: random.Random,
        yrng: random.Random,
        created: datetime,
        channel: str,
        original: Consultation | None,
        new_people: list,
        new_orgs: list,
    ) -> dict[str, Any]:
        """A test or a duplicate of one of the month's consultations, deleted by an agent."""
        t = self._base(crng, self._take_ticket_id(), created, channel)
        person = self._person(crng, yrng, original, created, new_people, new_orgs) if original else None
        topic = original.topic if original else "Lainnya"
        style = crng.random()
        subject = self._subject(crng, yrng, created, channel, topic)
        if style < 0.3 or original is None:
            subject = crng.choice(["test", "tes", "Test email", "coba"])
        elif style < 0.5:
            subject = "Duplikat: " + subject
        hidden_at = created + _s(crng, 600, 5 * 86400)
        assigned = crng.random() < 0.5
        assign = created + _s(crng, 60, 1800)
        agent = crng.choice([a["id"] for a in AGENTS])
        if assign >= hidden_at:
            assigned = False
        t.update(
            {
                "subject": subject,
                "status": "hidden",
                "hidden_status": "deleted",
                "person": person["id"] if person else None,
                "organization": person["organization"] if person else None,
                "agent": agent if assigned else None,
                "date_first_agent_assign": format_ts(assign) if assigned else None,
                "date_status": format_ts(hidden_at),
                "fields": {
                    FIELD_DAERAH: {"aliases": [], "value": original.region_text if original else None},
                    FIELD_TOPIK: {"aliases": [], "value": None},
                },
            }
        )
        t["_sim"] = {
            "kind": "deleted",
            "channel": channel,
            "citizen": original.person.index if original else None,
            "region": original.region.code if original and original.region else None,
            "agent_reply_times": [],
            "final_at": format_ts(hidden_at),
            "feedback_at": None,
            "late_status": False,
        }
        return t


# -------------------------------------------------------------------- public API


def iter_deskpro_months(
    seed: int = world.DEFAULT_SEED,
    start: str = world.DEFAULT_START,
    end: str = world.DEFAULT_END,
    mess: bool | Mess = True,
) -> Iterator[DeskproMonth]:
    """Yield one ``DeskproMonth`` per month of [start, end) (month-granular, end exclusive)."""
    gen = DeskproGenerator(seed, mess)
    for month in iter_months(start, end):
        yield gen.month(month)


def iter_deskpro_tickets(
    seed: int = world.DEFAULT_SEED,
    start: str = world.DEFAULT_START,
    end: str = world.DEFAULT_END,
    mess: bool | Mess = True,
) -> Iterator[dict[str, Any]]:
    """Tickets in creation order, streamed month by month."""
    for m in iter_deskpro_months(seed, start, end, mess):
        yield from m.tickets


def generate_deskpro_world(
    seed: int = world.DEFAULT_SEED,
    start: str = world.DEFAULT_START,
    end: str = world.DEFAULT_END,
    mess: bool | Mess = True,
) -> DeskproWorld:
    """The whole Deskpro world for a range, in memory."""
    world = DeskproWorld(seed=seed, start=str(start), end=str(end), mess=Mess.coerce(mess))
    for m in iter_deskpro_months(seed, start, end, mess):
        world.months.append(m.month)
        world.tickets.extend(m.tickets)
        world.people.extend(m.people)
        world.organizations.extend(m.organizations)
    return world
