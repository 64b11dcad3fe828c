"""Avaya part of the simulated world: calls to phone 150420, as CM and CMS record them.

Month by month (``AvayaScenario.month``), deterministic by seed, with no clock
reads and no global ``random``. Every call is one event with its arrival, wait,
talk and after-call work; the same events give

* the CM CDR records (customized layout, ring reporting on): per answered call a
  ring record **G** (duration = wait to answer) and a call record **9** (or **C**
  when the agent conferenced someone in); per abandoned call an **H**; per busy
  call an **I**; plus the switch's other traffic (intraswitch 0, outgoing A/7,
  attendant 1, conference C, long-call 4, resource exhaustion 6, 8, B, E, F);
* the CMS interval rows: ``hsplit`` per split and half hour, ``hagent`` per
  logged-in agent and half hour, with call-based items in the interval in which
  the call completed (answered: end of talk; abandoned: when the caller hung up).

So CDR and CMS reconcile by construction: per month, G records at a VDN = sum of
``acdcalls`` of its split, H records = sum of ``abncalls``.

Queues: the consultation hotline (VDN 50420 -> split 1, agents Nuryani, Anas,
Linna, Hanna, Dian) and the SIKD application helpdesk (VDN 50421 -> split 2),
which is not a consultation channel. Calls are queued on service days (Monday-
Friday, public holidays and cuti bersama closed) 08:00-16:30 local time
(Asia/Jakarta); outside, the vector plays the closed announcement and nothing is
queued.

The answered calls to the consultation VDN are the consultation plan's phone
consultations (``simulators.scenario.consultations``), one call each: the call
arrives at the plan's ``created_at``, the plan's agent (staffed that day)
answers, the agent conferences someone in when the plan escalates, and at
wrap-up enters the CDR account code ``TT C RRRR`` (``account_code``): topic,
caller type (segment) and, for local-government callers, the Kemendagri code of
their local government. The caller's number is the plan's citizen's. Counts come
from ``consultations.channel_counts``. Abandoned and busy calls, the helpdesk
queue and the switch's other traffic are drawn here.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from simulators.scenario import regions as R, world
from simulators.scenario.consultations import Consultation, channel_counts, is_service_day, plan_month
from simulators.scenario.world import LOCAL_TZ, UTC, Citizen, Population, iter_months, month_days

SOURCE = "avaya"

# Answered consultation calls per month: the plan's phone consultations
# (consultations.channel_counts). The helpdesk's answered calls are drawn in this range.
DEFAULT_RANGES: dict[str, tuple[int, int]] = {"helpdesk": (15, 45)}
ABANDON_RATE = (0.05, 0.13)  # abandoned / offered, drawn per queue and month

ACD = 1
NODE_ID = 1  # UCID network node id
INCOMING_TAC = "801"  # trunk access code of the ISDN PRI from the PSTN
OUTGOING_TAC = "802"
ARS_CODE = "9"
SERVICE_LEVEL_SECONDS = 20
INTERVAL_MINUTES = 30
SPLIT_STARTS = [h * 100 + m for h in range(7, 18) for m in (0, 30)]  # 0700 .. 1730: the exported hours
AGENT_STARTS = [s for s in SPLIT_STARTS if 730 <= s <= 1700]  # agents log in 07:30 - 17:30
QUEUE_OPEN = time(8, 0)
QUEUE_LAST_ARRIVAL = time(16, 30)
LAST_END = 17 * 3600 + 29 * 60  # every call is over by 17:29 local


@dataclass(frozen=True)
class Agent:
    logid: str
    name: str
    extension: str


@dataclass(frozen=True)
class Queue:
    key: str
    split: int
    vdn: str
    name: str
    is_consultation: bool
    agents: tuple[Agent, ...]


CONSULTATION = Queue(
    "consultation",
    1,
    "50420",
    "Konsultasi DJPK 150420",
    True,
    (
        Agent("3001", "Nuryani", "2101"),
        Agent("3002", "Anas", "2102"),
        Agent("3003", "Linna", "2103"),
        Agent("3004", "Hanna", "2104"),
        Agent("3005", "Dian", "2105"),
    ),
)
HELPDESK = Queue(
    "helpdesk",
    2,
    "50421",
    "Helpdesk Aplikasi SIKD",
    False,
    (
        Agent("3101", "Rudi", "2201"),
        Agent("3102", "Sinta", "2202"),
    ),
)
QUEUES = (CONSULTATION, HELPDESK)
AGENTS = tuple(a for q in QUEUES for a in q.agents)
OFFICE_EXTENSIONS = ["2001", "2002", "2003", "2010", "2011", "2020"]  # supervisors, secretariat

# CDR account code of a consultation, entered by the agent at wrap-up (docs/sources/avaya.md):
# ``TT C RRRR`` = topic code (seed avaya_account_codes.csv), caller type (seed
# avaya_caller_types.csv), and for a local-government caller the Kemendagri code of
# their local government without the dot ("7313" Kab. Wajo, "73" Prov. Sulawesi Selatan).
TOPIC_CODES: dict[str, str] = {
    "11": "DAU",
    "12": "DBH",
    "13": "DAK",
    "14": "Transfer",
    "15": "PDRD",
    "16": "JF AKPD",
    "17": "SHSR",
    "18": "Otsus",
    "19": "Hibah",
    "20": "IF",
    "21": "DID",
    "22": "Pembiayaan",
    "23": "PIKD",
    "24": "Aplikasi",
    "25": "Surat Masuk",
    "26": "Reservasi",
    "27": "Permintaan Data",
    "28": "Video Conference",
    "99": "Lainnya",
}
TOPIC_CODE_OF: dict[str, str] = {topic: code for code, topic in TOPIC_CODES.items()}
CALLER_TYPES: dict[str, str] = {  # plan segment -> caller type digit
    "unclassified": "0",
    "Pemda": "1",
    "Akademisi": "2",
    "Kementerian/Lembaga": "3",
    "Lainnya": "4",
}
SEGMENT_OF_CALLER_TYPE: dict[str, str] = {v: k for k, v in CALLER_TYPES.items()}
PADDED_CODE_SHARE = 0.08  # agents who pad the region part to four digits ("7300", "0000")
HELPDESK_CODE_SHARE = 0.85  # helpdesk agents enter "24" (Aplikasi) on most calls
CALLBACK_CODE_SHARE = 0.3  # consultation agents calling back sometimes enter a topic code

# Telephone area codes of the world's regions (seed avaya_area_codes.csv maps them back).
AREA_CODES: dict[str, str] = {
    "kab:Wajo": "0485",
    "kab:Bone": "0481",
    "kab:Gowa": "0411",
    "kota:Makassar": "0411",
    "prov:Sulawesi Selatan": "0411",
    "prov:Sumatera Barat": "0751",
    "kota:Padang": "0751",
    "kab:Agam": "0752",
    "kab:Pesisir Selatan": "0756",
    "prov:Sumatera Utara": "061",
    "kota:Medan": "061",
    "kab:Deli Serdang": "061",
    "kab:Tapanuli Utara": "0633",
    "prov:Aceh": "0651",
    "kab:Aceh Besar": "0651",
    "kota:Banda Aceh": "0651",
    "prov:Riau": "0761",
    "kota:Pekanbaru": "0761",
    "kab:Kampar": "0762",
    "prov:Jawa Barat": "022",
    "kota:Bandung": "022",
    "kab:Bogor": "0251",
    "kab:Garut": "0262",
    "kota:Bekasi": "021",
    "prov:Jawa Tengah": "024",
    "kota:Semarang": "024",
    "kab:Banyumas": "0281",
    "kab:Klaten": "0272",
    "prov:Jawa Timur": "031",
    "kota:Surabaya": "031",
    "kab:Malang": "0341",
    "kab:Sidoarjo": "031",
    "prov:DI Yogyakarta": "0274",
    "kab:Sleman": "0274",
    "kab:Bantul": "0274",
    "prov:DKI Jakarta": "021",
    "prov:Banten": "0254",
    "kota:Tangerang Selatan": "021",
    "prov:Bali": "0361",
    "kab:Badung": "0361",
    "kota:Denpasar": "0361",
    "prov:Nusa Tenggara Barat": "0370",
    "kab:Lombok Timur": "0376",
    "prov:Nusa Tenggara Timur": "0380",
    "kota:Kupang": "0380",
    "prov:Kalimantan Timur": "0541",
    "kab:Kutai Kartanegara": "0541",
    "kota:Samarinda": "0541",
    "prov:Kalimantan Barat": "0561",
    "kota:Pontianak": "0561",
    "prov:Sulawesi Utara": "0431",
    "kota:Manado": "0431",
    "prov:Maluku": "0911",
    "kota:Ambon": "0911",
    "prov:Papua": "0967",
    "kab:Jayapura": "0967",
    "kab:Mimika": "0901",
    "prov:Papua Barat": "0986",
    "kab:Manokwari": "0986",
    "prov:Lampung": "0721",
    "kab:Lampung Selatan": "0727",
    "prov:Jambi": "0741",
    "kab:Muaro Jambi": "0741",
}


def account_code(c: Consultation, padded: bool = False) -> str:
    """The CDR account code of a plan consultation: ``TT C RRRR``.

    ``padded``: the region part keyed to four digits, "7300" for a province and
    "0000" for none (the pipeline reads both forms alike).
    """
    region = c.person.region.code.replace(".", "") if c.segment == "Pemda" and c.person.region else ""
    if padded:
        region = region.ljust(4, "0")
    return TOPIC_CODE_OF[c.topic] + CALLER_TYPES[c.segment] + region


def parse_account_code(code: str | None) -> dict[str, str | None]:
    """The parts of an account code, as the pipeline reads them (int_phone__calls):
    topic, segment (from the caller type) and region code ("73.13", "73" or None)."""
    out: dict[str, str | None] = {"topic": None, "segment": None, "region_code": None}
    if not code or not code.isdigit() or len(code) not in (2, 3, 5, 7):
        return out
    out["topic"] = TOPIC_CODES.get(code[:2])
    if len(code) >= 3:
        out["segment"] = SEGMENT_OF_CALLER_TYPE.get(code[2])
    region = code[3:]
    if region and set(region) != {"0"}:
        out["region_code"] = region[:2] if len(region) == 2 or region[2:] == "00" else f"{region[:2]}.{region[2:]}"
    return out


def monthly_answered(seed: int, queue: Queue, month: str) -> int:
    if queue.is_consultation:
        return channel_counts(seed, month)["phone"]
    low, high = DEFAULT_RANGES[queue.key]
    return random.Random(f"{seed}/{SOURCE}/answered/{queue.key}/{month}").randint(low, high)


def monthly_abandoned(seed: int, queue: Queue, month: str, answered: int) -> int:
    rate = random.Random(f"{seed}/{SOURCE}/abandon/{queue.key}/{month}").uniform(*ABANDON_RATE)
    return round(answered * rate / (1 - rate))


@dataclass
class Call:
    """One incoming trunk call to a VDN, as it happened."""

    ucid: str
    queue: Queue
    arrived_at: datetime  # UTC
    outcome: str  # answered | abandoned | busy
    wait: int = 0  # seconds in queue + ringing, to answer or abandon
    ring: int = 0  # part of ``wait`` ringing at the agent
    talk: int = 0
    acw: int = 0
    hold: int = 0
    conference: bool = False
    agent: Agent | None = None
    calling_num: str | None = None
    acct_code: str | None = None
    citizen: int | None = None
    in_crt_id: str = "001"
    plan_key: str | None = None  # the plan's consultation this call is (answered consultation calls)

    @property
    def answered_at(self) -> datetime | None:
        return self.arrived_at + timedelta(seconds=self.wait) if self.outcome == "answered" else None

    @property
    def ended_at(self) -> datetime:
        """When the call completed: end of talk, the caller's hang-up, or the busy signal."""
        return self.arrived_at + timedelta(seconds=self.wait + self.talk)


@dataclass
class CdrLine:
    at: datetime  # when the record's segment ended (UTC, second precision)
    values: dict  # layout item -> value
    garbled: bool = False  # the collector mangled this line (mess)


@dataclass
class AvayaMonth:
    month: str
    calls: list[Call]
    cdr: list[CdrLine]
    hsplit: list[dict]
    hagent: list[dict]

    def days(self) -> list[date]:
        return month_days(self.month)

    def cdr_by_day(self) -> dict[date, list[CdrLine]]:
        out: dict[date, list[CdrLine]] = defaultdict(list)
        for rec in sorted(self.cdr, key=lambda r: r.at):
            out[rec.at.astimezone(LOCAL_TZ).date()].append(rec)
        return out

    def rows_by_day(self, rows: list[dict]) -> dict[date, list[dict]]:
        out: dict[date, list[dict]] = defaultdict(list)
        for r in rows:
            out[r["row_date"]].append(r)
        return out


def _local(day: date, seconds: int) -> datetime:
    return (datetime.combine(day, time(0), LOCAL_TZ) + timedelta(seconds=seconds)).astimezone(UTC)


def _secs(dt_: datetime) -> int:
    local = dt_.astimezone(LOCAL_TZ)
    return local.hour * 3600 + local.minute * 60 + local.second


def _interval(dt_: datetime) -> tuple[date, int]:
    local = dt_.astimezone(LOCAL_TZ)
    return local.date(), local.hour * 100 + (0 if local.minute < 30 else 30)


class AvayaScenario:
    """The phone calls of the simulated world. ``mess`` adds the collector's rare glitches."""

    def __init__(self, seed: int = world.DEFAULT_SEED, mess: bool = True) -> None:
        self.seed = seed
        self.mess = mess
        self.population = Population(seed)

    # ------------------------------------------------------------------ callers

    def calling_number(self, rng: random.Random, citizen: Citizen, region: R.Region | None = None) -> str | None:
        """What the PSTN delivers as calling number: an office landline or a mobile, sometimes none.

        ``region``: the caller's local government in the plan (Pemda callers); their office
        line has its area code when one is known. Otherwise the citizen's own region's.
        """
        if rng.random() < 0.03:
            return None  # withheld
        if region is not None:
            code = AREA_CODES.get(f"{region.kind}:{region.short_name}")
        else:
            code = AREA_CODES.get(f"{citizen.region.kind}:{citizen.region.name}") if citizen.region else None
        if citizen.kind in ("pemda", "central") and code is not None and rng.random() < 0.45:
            office = random.Random(f"{self.seed}/{SOURCE}/landline/{citizen.index}")
            digits = 8 if len(code) == 3 else office.choice([6, 7])
            national = (
                code + str(office.randrange(2, 10)) + "".join(str(office.randrange(10)) for _ in range(digits - 1))
            )
        else:
            national = "0" + citizen.phone[3:]  # "+62812..." -> "0812..."
        return "62" + national[1:] if rng.random() < 0.15 else national

    # ------------------------------------------------------------------ months

    def month(self, month: str) -> AvayaMonth:
        rng = random.Random(f"{self.seed}/{SOURCE}/{month}/calls")
        days = [d for d in month_days(month) if is_service_day(d)]
        planned = plan_month(self.seed, month).for_channel("phone")
        assert len(planned) == monthly_answered(self.seed, CONSULTATION, month)
        agent_by_name = {a.name: a for a in CONSULTATION.agents}
        plan_agents: dict[date, set[str]] = defaultdict(set)
        # (day, agent name) -> the planned arrivals (second of the day), to keep the agent free for them
        plan_seconds: dict[tuple[date, str], list[int]] = defaultdict(list)
        for c in planned:
            day = c.created_at.astimezone(LOCAL_TZ).date()
            assert day in days, f"{c.key}: the queue is closed on {day}"
            plan_agents[day].add(c.agent)
            plan_seconds[(day, c.agent)].append(_secs(c.created_at))
        staffed = {d: self._staffing(d, plan_agents[d]) for d in days}

        # (day, second of the day, split, outcome, order, the plan's consultation)
        arrivals: list[tuple[date, int, int, str, int, Consultation | None]] = []
        for i, c in enumerate(planned):
            arrivals.append(
                (c.created_at.astimezone(LOCAL_TZ).date(), _secs(c.created_at), CONSULTATION.split, "answered", i, c)
            )
        for queue in QUEUES:
            answered = monthly_answered(self.seed, queue, month)
            abandoned = monthly_abandoned(self.seed, queue, month, answered)
            busy = rng.randint(0, 2) if queue.is_consultation else 0
            drawn = (
                (("abandoned", abandoned), ("busy", busy))
                if queue.is_consultation
                else (("answered", answered), ("abandoned", abandoned), ("busy", busy))
            )
            for outcome, n in drawn:
                for _ in range(n):
                    arrivals.append(
                        (rng.choice(days), self._arrival_second(rng), queue.split, outcome, len(arrivals), None)
                    )
        arrivals.sort(key=lambda a: a[:5])
        queue_of = {q.split: q for q in QUEUES}

        calls: list[Call] = []
        free_at: dict[tuple[date, str], int] = defaultdict(int)  # (day, logid) -> second of the day
        seq_by_day: dict[date, int] = defaultdict(int)
        seen: list[int] = []
        arng = random.Random(f"{self.seed}/{SOURCE}/{month}/account-codes")
        for day, second, split, outcome, _, plan in arrivals:
            queue = queue_of[split]
            seq_by_day[day] += 1
            arrived = _local(day, second)
            if plan is not None:
                citizen = plan.person.citizen
                region = plan.person.region if plan.segment == "Pemda" else None
            else:
                citizen = self.population.pick(rng, seen)
                region = None
            seen.append(citizen.index)
            call = Call(
                ucid=f"{NODE_ID:05d}{seq_by_day[day]:05d}{int(arrived.timestamp()):010d}",
                queue=queue,
                arrived_at=arrived,
                outcome=outcome,
                citizen=citizen.index,
                calling_num=self.calling_number(rng, citizen, region),
                in_crt_id=f"{rng.randint(1, 30):03d}",
                plan_key=plan.key if plan is not None else None,
            )
            if outcome == "answered":
                queue_wait = int(rng.expovariate(1 / 12))
                call.ring = rng.randint(3, 9)
                if plan is not None:
                    agent = agent_by_name[plan.agent]
                    assert agent in staffed[day][queue.key]
                else:
                    agents = staffed[day][queue.key]
                    agent = min(agents, key=lambda a: (free_at[(day, a.logid)], rng.random()))
                start = max(second + queue_wait, free_at[(day, agent.logid)])
                call.wait = start - second + call.ring
                answered_s = second + call.wait
                talk = int(rng.lognormvariate(5.5, 0.55))
                call.acw = rng.randint(20, 120)
                limit = min(1800, LAST_END - answered_s)
                # the agent wraps up in time for their next planned call where they can
                later = [s for s in plan_seconds.get((day, agent.name), []) if s > second]
                if later:
                    limit = min(limit, min(later) - answered_s - call.acw - 10)
                call.talk = max(40, min(talk, limit))
                call.hold = rng.randint(15, 120) if rng.random() < 0.15 and call.talk > 150 else 0
                call.agent = agent
                if plan is not None:
                    call.conference = plan.is_escalated
                    call.acct_code = account_code(plan, padded=arng.random() < PADDED_CODE_SHARE)
                elif rng.random() < HELPDESK_CODE_SHARE:
                    call.acct_code = "24"
                free_at[(day, agent.logid)] = answered_s + call.talk + call.acw
            elif outcome == "abandoned":
                call.wait = rng.randint(4, 95)
            calls.append(call)

        cdr = [line for c in calls for line in self._call_records(c)]
        cdr += self._other_traffic(month, days)
        hsplit, hagent = self._intervals(month, calls, staffed)
        return AvayaMonth(month, calls, cdr, hsplit, hagent)

    def months(self, start: str = world.DEFAULT_START, end: str = world.DEFAULT_END) -> list[AvayaMonth]:
        return [self.month(m) for m in iter_months(start, end)]

    # ------------------------------------------------------------------ pieces

    def _staffing(self, day: date, required: set[str] | frozenset[str] = frozenset()) -> dict[str, tuple[Agent, ...]]:
        """Agents logged in per queue that day; ``required``: agents the plan has answer a call then."""
        rng = random.Random(f"{self.seed}/{SOURCE}/staffing/{day.isoformat()}")
        out = {}
        for queue in QUEUES:
            on = tuple(a for a in queue.agents if rng.random() < 0.9 or a.name in required)
            minimum = 2 if queue.is_consultation else 1
            out[queue.key] = on if len(on) >= minimum else queue.agents[:minimum]
        return out

    @staticmethod
    def _arrival_second(rng: random.Random) -> int:
        lo = QUEUE_OPEN.hour * 3600
        hi = QUEUE_LAST_ARRIVAL.hour * 3600 + QUEUE_LAST_ARRIVAL.minute * 60
        while True:
            s = rng.randrange(lo, hi)
            if not (12 * 3600 <= s < 13 * 3600) or rng.random() < 0.45:
                return s

    @staticmethod
    def _values(at: datetime, duration: int, code: str, ucid: str, **items) -> dict:
        local = at.astimezone(LOCAL_TZ)
        return {
            "date": local.strftime("%m%d%y"),
            "time": local.strftime("%H%M"),
            "sec_dur": duration,
            "cond_code": code,
            "ucid": ucid,
            "frl": "0",
            **items,
        }

    def _call_records(self, c: Call) -> list[CdrLine]:
        trunk = {
            "in_trk_code": INCOMING_TAC,
            "calling_num": c.calling_num,
            "vdn": c.queue.vdn,
            "in_crt_id": c.in_crt_id,
        }
        if c.outcome == "answered":
            assert c.agent is not None and c.answered_at is not None
            ring = CdrLine(
                c.answered_at, self._values(c.answered_at, c.wait, "G", c.ucid, dialed_num=c.agent.logid, **trunk)
            )
            talk = CdrLine(
                c.ended_at,
                self._values(
                    c.ended_at,
                    c.talk,
                    "C" if c.conference else "9",
                    c.ucid,
                    dialed_num=c.agent.logid,
                    acct_code=c.acct_code,
                    **trunk,
                ),
            )
            return [ring, talk]
        if c.outcome == "abandoned":
            return [CdrLine(c.ended_at, self._values(c.ended_at, c.wait, "H", c.ucid, dialed_num=c.queue.vdn, **trunk))]
        return [CdrLine(c.arrived_at, self._values(c.arrived_at, 0, "I", c.ucid, dialed_num=c.queue.vdn, **trunk))]

    def _other_traffic(self, month: str, days: list[date]) -> list[CdrLine]:
        """The switch's other records: not calls to a hotline VDN, never consultations."""
        rng = random.Random(f"{self.seed}/{SOURCE}/{month}/other")
        out: list[CdrLine] = []
        extensions = [a.extension for a in AGENTS] + OFFICE_EXTENSIONS
        seq = 90000

        def ucid(at: datetime) -> str:
            nonlocal seq
            seq += 1
            return f"{NODE_ID:05d}{seq % 100000:05d}{int(at.timestamp()):010d}"

        def someone(r: random.Random) -> str:
            number = "0" + self.population.citizen(r.randrange(self.population.size)).phone[3:]
            return number

        for day in days:
            for _ in range(rng.randint(0, 3)):  # intraswitch
                dur = rng.randint(15, 400)
                at = _local(day, rng.randrange(8 * 3600, 17 * 3600) + dur)
                a, b = rng.sample(extensions, 2)
                out.append(CdrLine(at, self._values(at, dur, "0", ucid(at), calling_num=a, dialed_num=b)))
            for _ in range(rng.randint(0, 2)):  # agents calling citizens back (no VDN: never a consultation)
                dur = rng.randint(30, 600)
                at = _local(day, rng.randrange(8 * 3600, 17 * 3600) + dur)
                ars = rng.random() < 0.5
                acct = rng.choice(list(TOPIC_CODES)) if rng.random() < CALLBACK_CODE_SHARE else None
                out.append(
                    CdrLine(
                        at,
                        self._values(
                            at,
                            dur,
                            "7" if ars else "A",
                            ucid(at),
                            code_dial=ARS_CODE if ars else OUTGOING_TAC,
                            code_used=OUTGOING_TAC,
                            calling_num=rng.choice(CONSULTATION.agents).extension,
                            dialed_num=someone(rng),
                            acct_code=acct,
                        ),
                    )
                )
            for code, p in (("1", 0.10), ("C", 0.05), ("8", 0.01), ("B", 0.01), ("E", 0.02), ("F", 0.01)):
                if rng.random() >= p:
                    continue
                dur = 0 if code in ("E", "F") else rng.randint(20, 900)
                at = _local(day, rng.randrange(8 * 3600, 17 * 3600) + dur)
                items = {"calling_num": rng.choice(extensions)}
                if code in ("8", "B", "E", "F"):
                    items.update(code_dial=ARS_CODE, code_used=OUTGOING_TAC, dialed_num=someone(rng))
                elif code == "1":
                    items.update(
                        in_trk_code=INCOMING_TAC,
                        calling_num=someone(rng),
                        dialed_num=rng.choice(extensions),
                        in_crt_id=f"{rng.randint(1, 30):03d}",
                    )
                else:
                    items.update(dialed_num=rng.choice(extensions))
                out.append(CdrLine(at, self._values(at, dur, code, ucid(at), **items)))
        if rng.random() < 0.1:  # a handset left off-hook: a 4 record after 10 hours, then the final 0 record
            day = rng.choice(days[:-1])
            start = _local(day, rng.randrange(9 * 3600, 11 * 3600))
            u = ucid(start)
            a, b = rng.sample(OFFICE_EXTENSIONS, 2)
            first = start + timedelta(seconds=35999)
            end = first + timedelta(seconds=rng.randint(600, 7200))
            out.append(CdrLine(first, self._values(first, 35999, "4", u, calling_num=a, dialed_num=b)))
            out.append(
                CdrLine(end, self._values(end, int((end - first).total_seconds()), "0", u, calling_num=a, dialed_num=b))
            )
        if rng.random() < 0.1:  # CDR buffers ran out: the outage, without UCID
            day = rng.choice(days)
            at = _local(day, rng.randrange(9 * 3600, 16 * 3600))
            out.append(CdrLine(at, self._values(at, rng.randint(30, 300), "6", "")))
        if self.mess and out:
            glitch = random.Random(f"{self.seed}/{SOURCE}/{month}/mess")
            internal = [r for r in out if r.values["cond_code"] == "0"]
            if internal and glitch.random() < 0.2:  # the collector lost characters of one record
                glitch.choice(internal).garbled = True
            if internal and glitch.random() < 0.2:  # a record re-sent after a link reset
                dup = glitch.choice(internal)
                out.append(CdrLine(dup.at, dict(dup.values), dup.garbled))
        return out

    def _intervals(self, month: str, calls: list[Call], staffed: dict[date, dict[str, tuple[Agent, ...]]]):
        split_stats: dict[tuple[date, int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        agent_stats: dict[tuple[date, int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for c in calls:
            if c.outcome == "busy":
                continue  # never queued: CMS counts it on the VDN (busy), not on the split
            day, start = _interval(c.ended_at)
            s = split_stats[(day, start, c.queue.split)]
            if c.outcome == "answered":
                assert c.agent is not None
                s["acdcalls"] += 1
                s["anstime"] += c.wait
                s["acdtime"] += c.talk
                s["acwtime"] += c.acw
                s["holdcalls"] += 1 if c.hold else 0
                s["acceptable"] += 1 if c.wait <= SERVICE_LEVEL_SECONDS else 0
                a = agent_stats[(day, start, c.agent.logid)]
                a["acdcalls"] += 1
                a["ringtime"] += c.ring
                a["acdtime"] += c.talk
                a["acwtime"] += c.acw
                a["holdcalls"] += 1 if c.hold else 0
                a["holdtime"] += c.hold
            else:
                s["abncalls"] += 1
                s["abntime"] += c.wait
        hsplit, hagent = [], []
        for day in month_days(month):
            on = staffed.get(day, {})
            for queue in QUEUES:
                for start in SPLIT_STARTS:
                    s = split_stats.get((day, start, queue.split), {})
                    staff = sum(1800 for _ in on.get(queue.key, ())) if start in AGENT_STARTS else 0
                    hsplit.append(
                        {
                            "row_date": day,
                            "starttime": start,
                            "intrvl": INTERVAL_MINUTES,
                            "acd": ACD,
                            "split": queue.split,
                            "callsoffered": s.get("acdcalls", 0) + s.get("abncalls", 0),
                            "acdcalls": s.get("acdcalls", 0),
                            "anstime": s.get("anstime", 0),
                            "acdtime": s.get("acdtime", 0),
                            "acwtime": s.get("acwtime", 0),
                            "abncalls": s.get("abncalls", 0),
                            "abntime": s.get("abntime", 0),
                            "holdcalls": s.get("holdcalls", 0),
                            "transferred": 0,
                            "acceptable": s.get("acceptable", 0),
                            "servicelevel": SERVICE_LEVEL_SECONDS,
                            "i_stafftime": staff,
                        }
                    )
                for agent in on.get(queue.key, ()):
                    for start in AGENT_STARTS:
                        a = agent_stats.get((day, start, agent.logid), {})
                        busy = a.get("acdtime", 0) + a.get("acwtime", 0) + a.get("ringtime", 0)
                        aux = 1800 if start == 1200 and not a else 0
                        hagent.append(
                            {
                                "row_date": day,
                                "starttime": start,
                                "intrvl": INTERVAL_MINUTES,
                                "acd": ACD,
                                "split": queue.split,
                                "logid": agent.logid,
                                "agent_name": agent.name,
                                "acdcalls": a.get("acdcalls", 0),
                                "ringtime": a.get("ringtime", 0),
                                "acdtime": a.get("acdtime", 0),
                                "acwtime": a.get("acwtime", 0),
                                "holdcalls": a.get("holdcalls", 0),
                                "holdtime": a.get("holdtime", 0),
                                "transferred": 0,
                                "ti_stafftime": 1800,
                                "ti_availtime": max(0, 1800 - busy - aux),
                                "ti_auxtime": aux,
                            }
                        )
        return hsplit, hagent


@dataclass
class MonthFigures:
    answered: int = 0
    abandoned: int = 0
    busy: int = 0
    anstime: int = 0

    @property
    def offered(self) -> int:
        return self.answered + self.abandoned

    @property
    def asa_seconds(self) -> float | None:
        return self.anstime / self.answered if self.answered else None

    @property
    def abandon_rate(self) -> float | None:
        return self.abandoned / self.offered if self.offered else None


@dataclass
class AvayaWorld:
    seed: int
    months: list[AvayaMonth] = field(default_factory=list)

    @cached_property
    def figures(self) -> dict[tuple[str, str], MonthFigures]:
        """(queue key, month of arrival in local time) -> figures."""
        out: dict[tuple[str, str], MonthFigures] = defaultdict(MonthFigures)
        for m in self.months:
            for c in m.calls:
                f = out[(c.queue.key, c.arrived_at.astimezone(LOCAL_TZ).strftime("%Y-%m"))]
                if c.outcome == "answered":
                    f.answered += 1
                    f.anstime += c.wait
                elif c.outcome == "abandoned":
                    f.abandoned += 1
                else:
                    f.busy += 1
        return dict(out)


def generate_avaya_world(
    seed: int = world.DEFAULT_SEED, start: str = world.DEFAULT_START, end: str = world.DEFAULT_END, mess: bool = True
) -> AvayaWorld:
    scenario = AvayaScenario(seed, mess)
    return AvayaWorld(seed, scenario.months(start, end))


__all__ = [
    "AREA_CODES",
    "CALLER_TYPES",
    "CONSULTATION",
    "HELPDESK",
    "QUEUES",
    "TOPIC_CODES",
    "AvayaMonth",
    "AvayaScenario",
    "AvayaWorld",
    "Call",
    "MonthFigures",
    "generate_avaya_world",
    "account_code",
    "monthly_answered",
    "parse_account_code",
]
