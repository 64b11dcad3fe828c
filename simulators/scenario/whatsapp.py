"""WhatsApp Business part of the simulated world: the DJPK chatbot number 0811-150420-7.

Generated month by month, deterministic by seed (every draw from
``random.Random(f"{seed}/whatsapp/...")``; no clock, no global ``random``).
Events are WhatsApp Cloud API objects, exactly as a webhook ``change`` carries
them: ``{"field": "messages", "value": {messaging_product, metadata, contacts,
messages | statuses}}`` with ONE message or ONE status each. The stand-in
writes them to a BSP-style export (history) or posts them, batched, as signed
webhook deliveries (the recent part).

One conversation, as the chatbot runs it:

1. the user writes (a greeting or straight away a question);
2. the bot answers with one interactive list message: the registration form to
   fill in (name, daerah, instansi/SKPD, email, question) and the main menu; the
   user answers the form in free text (many formats, typos), then picks menus
   (``interactive.list_reply``), sometimes a submenu; each answer is again a list;
4. for a consultation the user picks "Chat Agent" (a list row or a reply
   button), an agent (Nuryani, Anas, Linna, Hanna, Dian) answers, in office
   hours, the bot closes the conversation and asks for a rating (a list).

Outbound messages (bot, agents, blasts) are seen only through their status
events (sent, delivered, read, failed), which carry the ``biz_opaque_callback_data``
the sender attached: ``{"kind": "bot"|"agent_reply"|"blast", ...}`` with the
agent's name, or the blast's id and subject.

Counting rules the figures below follow (the pipeline's definitions):

* a conversation is a run of one user's messages with no silence of 24 hours
  or more (the WhatsApp customer-service window); its month is the Asia/Jakarta
  month of its first user message;
* a consultation is a conversation in which the user chose "Chat Agent";
* a chatbot user is a conversation without "Chat Agent";
* a menu selection is a ``list_reply`` of one of the eight main menus
  (submenus, buttons and ratings are not menu selections);
* a blast is one template broadcast; its month is the Asia/Jakarta month of its
  first status event.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import hashlib
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import Any, Iterator

from simulators.scenario.world import (
    LOCAL_TZ,
    UTC,
    Citizen,
    Population,
    TimePattern,
    boundary_timestamp,
    iter_months,
    local_month,
    local_timestamp,
    month_days,
    next_office_time,
    typed_institution,
    typed_region,
    typo,
)

SOURCE = "whatsapp"
DEFAULT_SEED = 2023
DEFAULT_START = "2022-12-01"
DEFAULT_END = "2024-01-01"  # exclusive: months Dec 2022 .. Dec 2023

# The contact center's WhatsApp Business number (0811-150420-7) and its Meta ids.
DISPLAY_PHONE_NUMBER = "628111504207"
PHONE_NUMBER_ID = "113355779911224"
WABA_ID = "102030405060708"
METADATA = {"display_phone_number": DISPLAY_PHONE_NUMBER, "phone_number_id": PHONE_NUMBER_ID}

AGENT_NAMES = ["Nuryani", "Anas", "Linna", "Hanna", "Dian"]
AGENT_WEIGHTS = [26, 24, 18, 17, 15]

# ----------------------------------------------------------------- calibration
# Published figures (Laporan Layanan Informasi DJPK Desember 2023) and, where the
# report gives none, chosen values. Consultations Jan-Oct 2023 are chosen so that
# the 2023 total is 13,300 (2023 total of all channels: 18,008).
CONSULTATIONS: dict[str, int] = {
    "2022-12": 1065,
    "2023-01": 1046, "2023-02": 1012, "2023-03": 1131, "2023-04": 978, "2023-05": 1164,
    "2023-06": 1097, "2023-07": 1183, "2023-08": 1209, "2023-09": 1142, "2023-10": 1232,
    "2023-11": 988,
    "2023-12": 1118,
}
CHATBOT_USERS: dict[str, int] = {"2023-12": 707}
CHATBOT_USERS_RANGE = (520, 760)

# The eight main menus: (list row id, row title (max 24 chars), row description = the report's label).
MENUS: list[tuple[str, str, str]] = [
    ("menu_tkd", "Anggaran TKD", "Informasi Anggaran Transfer ke Daerah"),
    ("menu_kunjungan", "Kunjungan ke DJPK", "Informasi Kunjungan ke DJPK"),
    ("menu_data", "Permohonan Data", "Informasi Permohonan Data"),
    ("menu_akpd", "Fungsional AKPD", "Informasi Fungsional AKPD"),
    ("menu_pdrd", "Pajak & Retribusi Daerah", "Informasi Pajak dan Retribusi Daerah"),
    ("menu_pembiayaan", "Pembiayaan Daerah", "Informasi Pembiayaan Daerah"),
    ("menu_sikd", "Aplikasi SIKD-Core", "Informasi Aplikasi SIKD-Core"),
    ("menu_shsr", "Standar Harga (SHSR)", "Informasi Standar Harga Satuan Regional (SHSR)"),
]
MENU_LABELS = {m[0]: m[2] for m in MENUS}
MENU_SELECTIONS: dict[str, dict[str, int]] = {
    "2023-12": {"menu_tkd": 399, "menu_kunjungan": 56, "menu_data": 22, "menu_akpd": 36,
                "menu_pdrd": 28, "menu_pembiayaan": 13, "menu_sikd": 6, "menu_shsr": 6},
}
MENU_SELECTIONS_RANGE = (430, 640)
MENU_WEIGHTS = [399, 56, 22, 36, 28, 13, 6, 6]

# "Chat Agent": a row of the main menu list, or a reply button under an answer.
HANDOFF_ROW = ("menu_agent", "Chat Agent", "Terhubung dengan agen Contact Center")
HANDOFF_BUTTON = ("btn_agent", "Chat Agent")
BUTTONS = [HANDOFF_BUTTON, ("btn_selesai", "Selesai")]
SUBMENUS: dict[str, list[tuple[str, str]]] = {
    "menu_tkd": [("tkd_dau", "DAU"), ("tkd_dbh", "DBH"), ("tkd_dak_fisik", "DAK Fisik"),
                 ("tkd_dak_nonfisik", "DAK Nonfisik"), ("tkd_dana_desa", "Dana Desa"),
                 ("tkd_otsus", "Otsus dan DTI"), ("tkd_insentif", "Insentif Fiskal")],
    "menu_akpd": [("akpd_angka_kredit", "Angka Kredit JF AKPD"), ("akpd_formasi", "Formasi JF AKPD")],
    "menu_pdrd": [("pdrd_raperda", "Evaluasi Raperda PDRD"), ("pdrd_opsen", "Opsen Pajak Daerah")],
    "menu_data": [("data_apbd", "Data APBD"), ("data_tkd", "Data TKD")],
}
RATINGS = [("rating_5", "Sangat Puas", 5), ("rating_4", "Puas", 4), ("rating_3", "Cukup", 3),
           ("rating_2", "Kurang Puas", 2), ("rating_1", "Tidak Puas", 1)]
RATING_WEIGHTS = [82, 11, 4, 2, 1]

# Blasts (template broadcasts) per month; 2023 total 55.
BLASTS_PER_MONTH: dict[str, int] = {
    "2022-12": 1,
    "2023-01": 3, "2023-02": 4, "2023-03": 6, "2023-04": 3, "2023-05": 5, "2023-06": 4,
    "2023-07": 6, "2023-08": 5, "2023-09": 6, "2023-10": 5, "2023-11": 3, "2023-12": 5,
}
BLASTS_RANGE = (2, 6)
FIXED_BLASTS: dict[str, list[tuple[str, str]]] = {
    "2023-12": [
        ("2023-12-01", "Percepatan penyampaian Raperda PDRD"),
        ("2023-12-05", "Penilaian Kinerja dan Penetapan Angka Kredit JF AKPD"),
        ("2023-12-08", "Himbauan percepatan penyaluran DAK Fisik"),
        ("2023-12-08", "Permintaan penyampaian APBD TA 2024"),
        ("2023-12-22", "Langkah-langkah Pelaksanaan Interkoneksi Data Transaksi Pemda Tahun 2024"),
    ],
}
BLAST_SUBJECTS = [
    "Penyampaian laporan realisasi penggunaan DAU",
    "Batas waktu penyampaian syarat salur DBH",
    "Sosialisasi Dana Alokasi Khusus Fisik TA {tahun}",
    "Undangan webinar pengelolaan keuangan daerah",
    "Percepatan penyampaian Perda APBD TA {tahun}",
    "Pemutakhiran data pada aplikasi SIKD",
    "Penyampaian laporan PDRD triwulan {tw}",
    "Penetapan Standar Harga Satuan Regional TA {tahun}",
    "Uji kompetensi JF AKPD periode {tw}",
    "Informasi penyaluran Dana Desa tahap {tw}",
    "Penyampaian rencana pinjaman daerah",
    "Pembaruan layanan Contact Center Dering DJPK",
]
BLAST_TEMPLATES = ["pemberitahuan_djpk", "informasi_djpk", "undangan_djpk"]

PATTERN = TimePattern(weekend_weight=0.2, office_share=0.78)

# Hours ahead of WIB (UTC+7) by province: WITA UTC+8, WIT UTC+9.
_WITA = {"Sulawesi Selatan", "Sulawesi Utara", "Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur",
         "Kalimantan Timur"}
_WIT = {"Maluku", "Papua", "Papua Barat"}

GREETINGS = ["Halo", "halo min", "Assalamualaikum", "Selamat pagi", "Selamat siang", "P", "Permisi",
             "Selamat sore", "Hai", "Assalamu'alaikum wr wb", "Menu", "Pagi admin"]
QUESTIONS = [
    "Mohon info jadwal penyaluran DAU bulan ini",
    "Bagaimana syarat salur DAK Fisik tahap 2?",
    "Kapan DBH kurang bayar disalurkan?",
    "Mohon informasi alokasi TKD daerah kami TA 2024",
    "Bagaimana cara reservasi kunjungan ke DJPK?",
    "Kami ingin konsultasi evaluasi raperda PDRD",
    "Mohon data realisasi APBD untuk penelitian",
    "Bagaimana pengajuan angka kredit JF AKPD?",
    "Lupa password aplikasi SIKD-Core",
    "Mohon info SHSR tahun 2024",
    "Apakah pinjaman daerah perlu pertimbangan Menkeu?",
    "Dana desa tahap 3 belum masuk RKUD",
    "Mohon petunjuk pengisian laporan Dana Otsus",
    "Status penyaluran insentif fiskal",
    "Bagaimana cara upload dokumen syarat salur di OM-SPAN TKD?",
    "Apakah ada format baru laporan realisasi DAK Nonfisik?",
]
FOLLOW_UPS = ["Baik terima kasih", "Terima kasih min", "Oke, siap", "Apakah ada surat edarannya?",
              "Baik, akan kami sampaikan ke pimpinan", "Mohon dikirim link nya", "Siap, terima kasih banyak 🙏",
              "Maksudnya bagaimana ya?", "Baik min"]
NAME_SUFFIXES = ["", "", "", " 🙏", " (BPKAD)", " SE", " S.E., M.Si"]


# ---------------------------------------------------------------------- helpers

_FATES = ["read", "delivered", "sent", "failed"]  # the final status of an outbound message
_FORM_STYLES = ["labels", "numbered", "hash", "loose", "prose"]


def unix(ts: datetime) -> str:
    """Cloud API timestamps: Unix seconds as a string."""
    return str(int(ts.timestamp()))


def wa_id_of(citizen: Citizen) -> str:
    """WhatsApp user id: the phone number's digits, country code first."""
    return citizen.phone.lstrip("+")


def _wamid(rng: random.Random, wa_id: str) -> str:
    body = f"\x15\x02\x00\x12\x18\x14{wa_id}{rng.getrandbits(80):020X}".encode()
    return "wamid.HBgM" + base64.b64encode(body).decode()


def _tz_shift(citizen: Citizen) -> int:
    province = citizen.region.province if citizen.region else ""
    return 2 if province in _WIT else 1 if province in _WITA else 0


@lru_cache(maxsize=4096)
def _callback_of(items: tuple[tuple[str, str], ...]) -> str:
    return json.dumps(dict(items), ensure_ascii=False, separators=(",", ":"))


def _callback(**data: str) -> str:
    """The ``biz_opaque_callback_data`` the sender attaches (echoed in every status)."""
    return _callback_of(tuple(data.items()))


def _pick(rng: random.Random, items: list, cum: list[float]) -> Any:
    """``rng.choices(items, cum_weights=cum)[0]``, without the list it builds."""
    return items[bisect.bisect(cum, rng.random() * cum[-1])]


def _cum(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _secs(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=rng.uniform(low, high))


def monthly_chatbot_users(seed: int, month: str) -> int:
    if month in CHATBOT_USERS:
        return CHATBOT_USERS[month]
    return random.Random(f"{seed}/whatsapp/calibration/chatbot_users/{month}").randint(*CHATBOT_USERS_RANGE)


def monthly_menu_selections(seed: int, month: str) -> dict[str, int]:
    if month in MENU_SELECTIONS:
        return dict(MENU_SELECTIONS[month])
    rng = random.Random(f"{seed}/whatsapp/calibration/menus/{month}")
    total = rng.randint(*MENU_SELECTIONS_RANGE)
    weights = [w * rng.uniform(0.7, 1.3) for w in MENU_WEIGHTS]
    picks = Counter(rng.choices([m[0] for m in MENUS], weights, k=total))
    return {m[0]: picks.get(m[0], 0) for m in MENUS}


def monthly_blasts(seed: int, month: str) -> list[tuple[str, str]]:
    """(local date "YYYY-MM-DD", subject) of each blast of a month."""
    if month in FIXED_BLASTS:
        return list(FIXED_BLASTS[month])
    rng = random.Random(f"{seed}/whatsapp/calibration/blasts/{month}")
    n = BLASTS_PER_MONTH.get(month) or rng.randint(*BLASTS_RANGE)
    weekdays = [d for d in month_days(month) if d.weekday() < 5]
    days = sorted(rng.sample(weekdays, n)) if n <= len(weekdays) else sorted(rng.choices(weekdays, k=n))
    year = int(month[:4]) + (1 if int(month[5:]) >= 10 else 0)
    tw = (int(month[5:]) - 1) // 3 + 1
    subjects = rng.sample(BLAST_SUBJECTS, n)
    return [(d.isoformat(), s.format(tahun=year, tw=tw)) for d, s in zip(days, subjects)]


def expected_figures(seed: int = DEFAULT_SEED, start: str = DEFAULT_START, end: str = DEFAULT_END) -> dict[str, dict[str, Any]]:
    """The figures a correct pipeline computes, by month: what the generator was told to make."""
    out = {}
    for month in iter_months(start, end):
        menus = monthly_menu_selections(seed, month)
        out[month] = {
            "consultations": CONSULTATIONS.get(month, _default_consultations(seed, month)),
            "chatbot_users": monthly_chatbot_users(seed, month),
            "menu_selections": sum(menus.values()),
            "menus": {MENU_LABELS[k]: v for k, v in menus.items()},
            "blasts": len(monthly_blasts(seed, month)),
        }
    return out


def _default_consultations(seed: int, month: str) -> int:
    return random.Random(f"{seed}/whatsapp/calibration/consultations/{month}").randint(1000, 1400)


_PRICING = {c: {"billable": True, "pricing_model": "CBP", "category": c} for c in ("service", "utility")}
_AGENT_CUM = _cum(AGENT_WEIGHTS)
_REPLIES_CUM = _cum([65, 28, 7])
_RATING_CUM = _cum(RATING_WEIGHTS)
_FORM_CUM = _cum([48, 16, 14, 12, 10])
_SERVICE_FATE_CUM = _cum([60, 33, 5, 2])
_BLAST_FATE_CUM = _cum([52, 30, 8, 10])

# ----------------------------------------------------------------------- world


@dataclass(slots=True)
class Event:
    """One webhook change holding exactly one message or one status."""

    at: datetime  # when it happened (the object's timestamp)
    kind: str  # "message" | "status"
    value: dict[str, Any]  # the change's value

    def change(self) -> dict[str, Any]:
        return {"field": "messages", "value": self.value}

    @property
    def key(self) -> str:
        """The record's key downstream: wamid, or wamid/status/timestamp."""
        if self.kind == "message":
            return self.value["messages"][0]["id"]
        s = self.value["statuses"][0]
        return f"{s['id']}/{s['status']}/{s['timestamp']}"


@dataclass
class ConversationFacts:
    month: str
    wa_id: str
    started_at: datetime
    handoff: bool
    menus: list[str]
    agent: str | None
    region_text: str | None
    institution_text: str | None


@dataclass
class BlastFacts:
    blast_id: str
    day: str
    subject: str
    template: str
    final_status: Counter


@dataclass
class WhatsappMonth:
    month: str
    events: list[Event] = field(default_factory=list)
    conversations: list[ConversationFacts] = field(default_factory=list)
    blasts: list[BlastFacts] = field(default_factory=list)


@dataclass
class _Conv:
    handoff: bool
    menus: list[str] = field(default_factory=list)


class WhatsappGenerator:
    """Generates months in order; remembers when each user last talked, across months."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.seed = seed
        self.population = Population(seed)
        self._busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        self._seen: list[int] = []
        self._seen_set: set[int] = set()

    # -------------------------------------------------------------- a month

    def month(self, month: str) -> WhatsappMonth:
        rng = random.Random(f"{self.seed}/whatsapp/{month}/plan")
        out = WhatsappMonth(month)
        n_consult = CONSULTATIONS.get(month, _default_consultations(self.seed, month))
        convs = [_Conv(True) for _ in range(n_consult)] + [
            _Conv(False) for _ in range(monthly_chatbot_users(self.seed, month))
        ]
        rng.shuffle(convs)
        bots = [c for c in convs if not c.handoff]
        agents = [c for c in convs if c.handoff]
        selections = [m for m, n in monthly_menu_selections(self.seed, month).items() for _ in range(n)]
        rng.shuffle(selections)
        for menu in selections:
            while True:
                pool = bots if rng.random() < 0.72 else agents
                conv = rng.choice(pool)
                if len(conv.menus) < (4 if not conv.handoff else 2):
                    conv.menus.append(menu)
                    break
        for i, conv in enumerate(convs):
            self._conversation(month, i, conv, out)
        for j, (day, subject) in enumerate(monthly_blasts(self.seed, month)):
            self._blast(month, j, day, subject, out)
        out.events.sort(key=attrgetter("at"))  # stable: ties keep generation order
        return out

    # ------------------------------------------------------- conversations

    def _start(self, rng: random.Random, month: str, i: int, shift_h: int) -> datetime:
        if i < 2:  # a couple a month in the first local hours of the 1st: still last month in UTC
            return boundary_timestamp(rng, month)
        while True:
            ts = local_timestamp(rng, month, PATTERN) - timedelta(hours=shift_h)
            if local_month(ts) == month:
                return ts

    def _free(self, citizen: Citizen, start: datetime, end: datetime) -> bool:
        gap = timedelta(hours=26)
        return all(end + gap < s or start > e + gap for s, e in self._busy[citizen.index])

    def _conversation(self, month: str, i: int, conv: _Conv, out: WhatsappMonth) -> None:
        rng = random.Random(f"{self.seed}/whatsapp/{month}/conversation/{i}")
        # Users never start a conversation within 26 h of their previous one, so the
        # pipeline's 24-hour rule splits conversations exactly where they were made.
        for _ in range(500):
            citizen = self.population.pick(rng, self._seen, returning_share=0.25)
            start = self._start(rng, month, i, _tz_shift(citizen))
            steps = self._timeline(rng, start, conv)
            end = max(s[0] for s in steps)
            if self._free(citizen, start, end):
                break
        else:  # pragma: no cover
            raise RuntimeError("whatsapp: no free citizen found")
        self._busy[citizen.index].append((start, end))
        if citizen.index not in self._seen_set:
            self._seen_set.add(citizen.index)
            self._seen.append(citizen.index)
        wa_id = wa_id_of(citizen)
        profile = self._profile_name(rng, citizen)
        region = typed_region(rng, citizen.region)
        institution = typed_institution(rng, citizen)
        if rng.random() < 0.1:
            region = typo(rng, region)
        if rng.random() < 0.08:
            institution = typo(rng, institution)
        agent = None
        context: dict[str, str] = {}  # the wamid of the last list/button message the bot sent
        for ts, who, what, extra in steps:
            if who == "user":
                msg = self._inbound(rng, wa_id, ts, what, extra, citizen, region, institution, context)
                value = {"messaging_product": "whatsapp", "metadata": METADATA,
                         "contacts": [{"profile": {"name": profile}, "wa_id": wa_id}], "messages": [msg]}
                out.events.append(Event(ts, "message", value))
            else:
                if what == "agent_reply":
                    agent = agent or _pick(rng, AGENT_NAMES, _AGENT_CUM)
                    cb = _callback(kind="agent_reply", agent=agent)
                else:
                    cb = _callback(kind="bot", step=what)
                wamid = _wamid(rng, wa_id)
                if what in ("welcome", "answer", "close"):
                    context["last"] = wamid
                self._statuses(rng, out, wamid, wa_id, ts, cb, "service")
        out.conversations.append(ConversationFacts(month, wa_id, start, conv.handoff, list(conv.menus), agent,
                                                   region, institution))

    @staticmethod
    def _profile_name(rng: random.Random, c: Citizen) -> str:
        r = rng.random()
        if r < 0.5:
            return c.first_name + NAME_SUFFIXES[rng.randrange(len(NAME_SUFFIXES))]
        if r < 0.85:
            return c.name
        return rng.choice(["~", "Admin", "Keuangan", "BPKAD", "Ibu", "Bpk"]) + " " + c.first_name

    def _timeline(self, rng: random.Random, start: datetime, conv: _Conv) -> list[tuple]:
        """(time, "user"|"out", what, extra) of one conversation, in order."""
        steps: list[tuple] = []
        t = start
        greet = rng.random() < 0.7
        steps.append((t, "user", "first", greet))
        t += _secs(rng, 1, 4)
        steps.append((t, "out", "welcome", None))  # the form to fill in, and the main menu list
        t += _secs(rng, 40, 400)
        steps.append((t, "user", "form", None))
        last_user = t
        for menu in conv.menus:
            # every answer is itself a list with the main menu: the next pick replies to it
            t += _secs(rng, 10, 90)
            steps.append((t, "user", "list", menu))
            last_user = t
            t += _secs(rng, 1, 3)
            steps.append((t, "out", "answer", None))
            if menu in SUBMENUS and rng.random() < 0.4:
                t += _secs(rng, 10, 60)
                steps.append((t, "user", "list", rng.choice(SUBMENUS[menu])[0]))
                last_user = t
                t += _secs(rng, 1, 3)
                steps.append((t, "out", "answer", None))
        if not conv.handoff:
            if rng.random() < 0.3:
                t += _secs(rng, 10, 120)
                steps.append((t, "user", "button", "btn_selesai"))
            return steps
        t += _secs(rng, 10, 120)
        via_button = bool(conv.menus) and rng.random() < 0.6
        steps.append((t, "user", "button" if via_button else "list", "btn_agent" if via_button else "menu_agent"))
        if rng.random() < 0.04:  # tapped twice
            t += _secs(rng, 2, 30)
            steps.append((t, "user", "button" if via_button else "list", "btn_agent" if via_button else "menu_agent"))
        last_user = t
        reply = next_office_time(t + _secs(rng, 30, 600)) + _secs(rng, 60, 2400)
        for n in range(_pick(rng, [1, 2, 3], _REPLIES_CUM)):
            steps.append((reply, "out", "agent_reply", None))
            # a follow-up only while the conversation is open (< 20 h since the user last wrote)
            if n < 2 and rng.random() < 0.35 and reply - last_user < timedelta(hours=20):
                t = reply + _secs(rng, 60, 1800)
                steps.append((t, "user", "followup", None))
                last_user = t
                reply = t + _secs(rng, 120, 3600)
            else:
                reply += _secs(rng, 60, 900)
        close = reply + _secs(rng, 300, 3600)
        steps.append((close, "out", "close", None))
        if rng.random() < 0.62 and close - last_user < timedelta(hours=20):
            steps.append((close + _secs(rng, 20, 900), "user", "rating", None))
        steps.sort(key=lambda s: s[0])
        return steps

    def _inbound(self, rng: random.Random, wa_id: str, ts: datetime, what: str, extra: Any, c: Citizen,
                 region: str | None, institution: str | None, context: dict[str, str]) -> dict[str, Any]:
        msg: dict[str, Any] = {"from": wa_id, "id": _wamid(rng, wa_id), "timestamp": unix(ts)}
        if what in ("list", "button", "rating"):
            msg["context"] = {"from": DISPLAY_PHONE_NUMBER, "id": context.get("last", _wamid(rng, DISPLAY_PHONE_NUMBER))}
        if what == "first":
            body = rng.choice(GREETINGS) if extra else rng.choice(QUESTIONS)
            msg.update(type="text", text={"body": body})
        elif what == "form":
            msg.update(type="text", text={"body": self._form(rng, c, region, institution)})
        elif what == "list":
            row = next(((i, t, d) for i, t, d in [*MENUS, HANDOFF_ROW] if i == extra), None)
            if row is None:
                sub = next(s for subs in SUBMENUS.values() for s in subs if s[0] == extra)
                row = (sub[0], sub[1], "")
            reply = {"id": row[0], "title": row[1]}
            if row[2]:
                reply["description"] = row[2]
            msg.update(type="interactive", interactive={"type": "list_reply", "list_reply": reply})
        elif what == "button":
            title = dict(BUTTONS)[extra]
            msg.update(type="interactive", interactive={"type": "button_reply", "button_reply": {"id": extra, "title": title}})
        elif what == "rating":
            rid, title, _ = _pick(rng, RATINGS, _RATING_CUM)
            msg.update(type="interactive", interactive={"type": "list_reply", "list_reply": {"id": rid, "title": title}})
        elif rng.random() < 0.06:
            msg.update(type="image", image={"id": str(rng.getrandbits(50)), "mime_type": "image/jpeg",
                                            "sha256": hashlib.sha256(msg["id"].encode()).hexdigest()})
        else:
            msg.update(type="text", text={"body": rng.choice(FOLLOW_UPS)})
        return msg

    @staticmethod
    def _form(rng: random.Random, c: Citizen, region: str | None, institution: str | None) -> str:
        name = c.name if rng.random() < 0.8 else c.name.upper()
        email = c.email if rng.random() < 0.93 else "-"
        question = rng.choice(QUESTIONS)
        if rng.random() < 0.1:
            question = typo(rng, question) or question
        r = region if region is not None else ""
        inst = institution if institution is not None else ""
        style = _pick(rng, _FORM_STYLES, _FORM_CUM)
        if style == "labels":
            lines = [f"Nama: {name}", f"Daerah: {r}", f"Instansi/SKPD: {inst}", f"Email: {email}", f"Pertanyaan: {question}"]
        elif style == "numbered":
            lines = [f"1. Nama : {name}", f"2. Daerah : {r}", f"3. Instansi : {inst}", f"4. E-mail : {email}",
                     f"5. Pertanyaan : {question}"]
        elif style == "hash":
            return "#".join([name, r, inst, email, question])
        elif style == "loose":
            lines = [f"nama = {name}", f"asal daerah: {r}", f"SKPD : {inst}", f"email:{email}", f"pertanyaan: {question}"]
            rng.shuffle(lines)
        else:
            where = f" dari {inst}" if inst else ""
            where += f" {r}" if r else ""
            return f"Saya {name}{where}, ingin bertanya: {question}"
        if region is None and rng.random() < 0.5:
            lines = [ln for ln in lines if "aerah" not in ln]
        return "\n".join(lines)

    # ------------------------------------------------------------- statuses

    def _statuses(self, rng: random.Random, out: WhatsappMonth, wamid: str, wa_id: str, sent: datetime, cb: str,
                  category: str, fate: str | None = None) -> str:
        """Status events of one outbound message; returns its latest status by delivery progress."""
        if fate is None:
            fate = _pick(rng, _FATES, _SERVICE_FATE_CUM)
        pricing = _PRICING[category]
        events: list[tuple[str, datetime]] = [("sent", sent)]
        if fate == "failed":
            events.append(("failed", sent + _secs(rng, 1, 30)))
            if rng.random() < 0.25:  # BSPs see "delivered" after "failed"
                events.append(("delivered", sent + _secs(rng, 31, 120)))
        else:
            delivered = sent + _secs(rng, 1, 40)
            if fate in ("delivered", "read") and rng.random() < 0.93:  # "delivered" may never come
                events.append(("delivered", delivered))
            if fate == "read":
                events.append(("read", delivered + _secs(rng, 5, 5400)))
        for status, ts in events:
            obj: dict[str, Any] = {"id": wamid, "status": status, "timestamp": unix(ts), "recipient_id": wa_id,
                                   "biz_opaque_callback_data": cb}
            if status == "sent":
                obj["pricing"] = pricing
            if status == "failed":
                code, title = rng.choice([(131026, "Message undeliverable"),
                                          (131049, "This message was not delivered to maintain healthy ecosystem engagement."),
                                          (131047, "Re-engagement message")])
                obj["errors"] = [{"code": code, "title": title, "message": title,
                                  "error_data": {"details": title}}]
            value = {"messaging_product": "whatsapp", "metadata": METADATA, "statuses": [obj]}
            out.events.append(Event(ts, "status", value))
        # what a receiver of these events must conclude (a "delivered" may never have come)
        seen = [st for st, _ in events]
        return "failed" if "failed" in seen else max(seen, key=["sent", "delivered", "read"].index)

    def _blast(self, month: str, j: int, day: str, subject: str, out: WhatsappMonth) -> None:
        rng = random.Random(f"{self.seed}/whatsapp/{month}/blast/{j}")
        d = date.fromisoformat(day)
        sent = datetime.combine(d, time(9, 0), LOCAL_TZ).astimezone(UTC) + _secs(rng, 0, 7200)
        blast_id = f"BC-{d:%Y%m%d}-{j + 1:02d}"
        template = rng.choice(BLAST_TEMPLATES)
        cb = _callback(kind="blast", blast_id=blast_id, template=template, subject=subject)
        n = rng.randint(60, 180)
        recipients = [self.population.citizen(i) for i in rng.sample(range(self.population.size), n)]
        final: Counter = Counter()
        for k, c in enumerate(recipients):
            wa_id = wa_id_of(c)
            fate = _pick(rng, _FATES, _BLAST_FATE_CUM)
            final[self._statuses(rng, out, _wamid(rng, wa_id), wa_id, sent + timedelta(seconds=k * 0.4), cb,
                                 "utility", fate)] += 1
        out.blasts.append(BlastFacts(blast_id, day, subject, template, final))


def iter_whatsapp_months(seed: int = DEFAULT_SEED, start: str = DEFAULT_START,
                         end: str = DEFAULT_END) -> Iterator[WhatsappMonth]:
    gen = WhatsappGenerator(seed)
    for month in iter_months(start, end):
        yield gen.month(month)
