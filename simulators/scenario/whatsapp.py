"""WhatsApp Business part of the simulated world: the DJPK chatbot number 0811-150420-7.

Generated month by month, deterministic by seed (every draw from
``random.Random(f"{seed}/whatsapp/...")``; no clock, no global ``random``).
Events are WhatsApp Cloud API objects, exactly as a webhook ``change`` carries
them: ``{"field": "messages", "value": {messaging_product, metadata, contacts,
messages | statuses}}`` with ONE message or ONE status each. The stand-in
writes them to a BSP-style export (history) or posts them, batched, as signed
webhook deliveries (the recent part).

Consultations come from the consultation plan (``simulators.scenario.consultations``),
shared by every channel: each WhatsApp consultation of ``plan_month(seed, month)``
is one conversation in which the user chose "Chat Agent". The plan decides who
writes (``c.person.citizen``; wa_id = the phone's digits), when the first message
comes (``c.created_at``, to the second), what they type as region and institution
(``c.region_text`` / ``c.institution_text``, verbatim, in a form the pipeline
parses), the topic, the agent, the escalation and the rating. This module adds
only what is WhatsApp's own: the chatbot's messages, menus, message ids,
statuses, follow-ups, and the conversations that never reach an agent.

One conversation, as the chatbot runs it:

1. the user writes (a greeting or straight away a question);
2. the bot answers with one interactive list message: the registration form to
   fill in (name, daerah, instansi/SKPD, email, question) and the main menu; the
   user answers the form in free text (many formats; chatbot-only users also make
   typos), then picks menus (``interactive.list_reply``), sometimes a submenu; each
   answer is again a list;
3. for a consultation the user picks "Chat Agent" (a list row or a reply
   button), the plan's agent answers in office hours (or, when the user would
   otherwise not be able to rate within the 24-hour window, at once, on duty),
   the user may follow up, and the bot closes the conversation with the rating
   list. The agent's wrap-up (topic, escalated) rides in the callback data of
   that closing message, as the BSP's agent inbox writes it; a rated consultation
   ends with the user's rating (the plan's value).

Outbound messages (bot, agents, blasts) are seen only through their status
events (sent, delivered, read, failed), which carry the ``biz_opaque_callback_data``
the sender attached: ``{"kind": "bot"|"agent_reply"|"blast", ...}`` with the
agent's name, the wrap-up (closing message), or the blast's id and subject.

Counting rules the figures below follow (the pipeline's definitions):

* a conversation is a run of one user's messages with no silence of 24 hours
  or more (the WhatsApp customer-service window); its month is the Asia/Jakarta
  month of its first user message. A consultation's user messages stay within
  one such run and end at least 25 h before the same user's next consultation
  (the plan keeps them three days apart); a chatbot-only conversation never comes
  within 26 h of another conversation of its user;
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
import hashlib
import itertools
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import Any

from simulators.scenario import world
from simulators.scenario.consultations import Consultation, channel_counts, plan_month
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

# The contact center's WhatsApp Business number (0811-150420-7) and its Meta ids.
DISPLAY_PHONE_NUMBER = "628111504207"
PHONE_NUMBER_ID = "113355779911224"
WABA_ID = "102030405060708"
METADATA = {"display_phone_number": DISPLAY_PHONE_NUMBER, "phone_number_id": PHONE_NUMBER_ID}

AGENT_NAMES = ["Nuryani", "Anas", "Linna", "Hanna", "Dian"]  # the plan assigns them (consultations.AGENTS)

# ----------------------------------------------------------------- calibration
# Published figures (Laporan Layanan Informasi DJPK Desember 2023) and, where the
# report gives none, chosen values. Consultations per month are the plan's
# (``consultations.channel_counts``: 2023 total 14,310 of the 18,008 of all channels).
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
    "2023-12": {
        "menu_tkd": 399,
        "menu_kunjungan": 56,
        "menu_data": 22,
        "menu_akpd": 36,
        "menu_pdrd": 28,
        "menu_pembiayaan": 13,
        "menu_sikd": 6,
        "menu_shsr": 6,
    },
}
MENU_SELECTIONS_RANGE = (430, 640)
MENU_WEIGHTS = [399, 56, 22, 36, 28, 13, 6, 6]

# "Chat Agent": a row of the main menu list, or a reply button under an answer.
HANDOFF_ROW = ("menu_agent", "Chat Agent", "Terhubung dengan agen Contact Center")
HANDOFF_BUTTON = ("btn_agent", "Chat Agent")
BUTTONS = [HANDOFF_BUTTON, ("btn_selesai", "Selesai")]
SUBMENUS: dict[str, list[tuple[str, str]]] = {
    "menu_tkd": [
        ("tkd_dau", "DAU"),
        ("tkd_dbh", "DBH"),
        ("tkd_dak_fisik", "DAK Fisik"),
        ("tkd_dak_nonfisik", "DAK Nonfisik"),
        ("tkd_dana_desa", "Dana Desa"),
        ("tkd_otsus", "Otsus dan DTI"),
        ("tkd_insentif", "Insentif Fiskal"),
    ],
    "menu_akpd": [("akpd_angka_kredit", "Angka Kredit JF AKPD"), ("akpd_formasi", "Formasi JF AKPD")],
    "menu_pdrd": [("pdrd_raperda", "Evaluasi Raperda PDRD"), ("pdrd_opsen", "Opsen Pajak Daerah")],
    "menu_data": [("data_apbd", "Data APBD"), ("data_tkd", "Data TKD")],
}
RATINGS = [
    ("rating_5", "Sangat Puas", 5),
    ("rating_4", "Puas", 4),
    ("rating_3", "Cukup", 3),
    ("rating_2", "Kurang Puas", 2),
    ("rating_1", "Tidak Puas", 1),
]
RATING_ROWS = {value: (rid, title) for rid, title, value in RATINGS}

# Blasts (template broadcasts) per month; 2023 total 55.
BLASTS_PER_MONTH: dict[str, int] = {
    "2022-12": 1,
    "2023-01": 3,
    "2023-02": 4,
    "2023-03": 6,
    "2023-04": 3,
    "2023-05": 5,
    "2023-06": 4,
    "2023-07": 6,
    "2023-08": 5,
    "2023-09": 6,
    "2023-10": 5,
    "2023-11": 3,
    "2023-12": 5,
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
_WITA = {"Sulawesi Selatan", "Sulawesi Utara", "Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Timur"}
_WIT = {"Maluku", "Papua", "Papua Barat"}

GREETINGS = [
    "Halo",
    "halo min",
    "Assalamualaikum",
    "Selamat pagi",
    "Selamat siang",
    "P",
    "Permisi",
    "Selamat sore",
    "Hai",
    "Assalamu'alaikum wr wb",
    "Menu",
    "Pagi admin",
]
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
# What users ask when they want an agent, by the plan's topic (seed ref_topics).
TOPIC_QUESTIONS: dict[str, list[str]] = {
    "DAU": [
        "Mohon info jadwal penyaluran DAU bulan ini",
        "Bagaimana ketentuan DAU yang ditentukan penggunaannya?",
        "Alokasi DAU kami TA 2024 berapa ya?",
    ],
    "DBH": [
        "Kapan DBH kurang bayar disalurkan?",
        "Mohon rincian DBH SDA daerah kami",
        "Bagaimana perhitungan DBH CHT?",
    ],
    "DAK": [
        "Bagaimana syarat salur DAK Fisik tahap 2?",
        "Apakah ada format baru laporan realisasi DAK Nonfisik?",
        "Mohon info juknis DAK TA 2024",
    ],
    "Transfer": [
        "Mohon informasi alokasi TKD daerah kami TA 2024",
        "Dana TKD belum masuk RKUD",
        "Bagaimana cara upload dokumen syarat salur di OM-SPAN TKD?",
    ],
    "PDRD": [
        "Kami ingin konsultasi evaluasi raperda PDRD",
        "Bagaimana ketentuan opsen pajak daerah?",
        "Mohon info batas waktu penyampaian perda PDRD",
    ],
    "JF AKPD": [
        "Bagaimana pengajuan angka kredit JF AKPD?",
        "Mohon info formasi JF AKPD",
        "Kapan uji kompetensi JF AKPD berikutnya?",
    ],
    "SHSR": ["Mohon info SHSR tahun 2024", "Apakah SHSR TA 2024 sudah terbit?"],
    "Otsus": ["Mohon petunjuk pengisian laporan Dana Otsus", "Penyaluran Dana Otsus tahap 2 kapan?"],
    "Hibah": ["Bagaimana mekanisme hibah ke daerah?", "Mohon info hibah daerah TA 2024"],
    "IF": ["Status penyaluran insentif fiskal", "Apa kriteria penerima Insentif Fiskal?"],
    "DID": ["Mohon info penyaluran DID", "Apakah DID masih ada tahun ini?"],
    "Pembiayaan": ["Apakah pinjaman daerah perlu pertimbangan Menkeu?", "Mohon info syarat pinjaman daerah"],
    "PIKD": ["Data di portal PIKD tidak tampil", "Bagaimana mengisi data SIKD?"],
    "Aplikasi": ["Lupa password aplikasi SIKD-Core", "Tidak bisa login OM-SPAN TKD", "Akun aplikasi kami terkunci"],
    "Surat Masuk": [
        "Kami sudah mengirim surat, mohon info tindak lanjutnya",
        "Surat permohonan kami sudah diterima belum?",
    ],
    "Reservasi": ["Bagaimana cara reservasi kunjungan ke DJPK?", "Kami ingin jadwal konsultasi tatap muka"],
    "Permintaan Data": ["Mohon data realisasi APBD untuk penelitian", "Kami memerlukan data TKD per daerah"],
    "Video Conference": ["Kami ingin mengajukan konsultasi melalui vicon", "Mohon link zoom untuk konsultasi"],
    "Lainnya": ["Mohon informasi", "Ada yang ingin kami tanyakan", "Mohon bantuan admin"],
}
FOLLOW_UPS = [
    "Baik terima kasih",
    "Terima kasih min",
    "Oke, siap",
    "Apakah ada surat edarannya?",
    "Baik, akan kami sampaikan ke pimpinan",
    "Mohon dikirim link nya",
    "Siap, terima kasih banyak 🙏",
    "Maksudnya bagaimana ya?",
    "Baik min",
]
NAME_SUFFIXES = ["", "", "", " 🙏", " (BPKAD)", " SE", " S.E., M.Si"]


# ---------------------------------------------------------------------- helpers

_FATES = ["read", "delivered", "sent", "failed"]  # the final status of an outbound message
_FORM_STYLES = ["labels", "numbered", "hash", "loose", "prose"]
# Styles the pipeline parses (int_whatsapp__conversations: "label: value" lines or
# "#"-separated fields). A plan consultation's form always parses: its region and
# institution are what the report counts.
_PLAN_FORM_STYLES = ["labels", "numbered", "hash", "loose"]


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
    return [(d.isoformat(), s.format(tahun=year, tw=tw)) for d, s in zip(days, subjects, strict=False)]


def expected_figures(
    seed: int = world.DEFAULT_SEED, start: str = world.DEFAULT_START, end: str = world.DEFAULT_END
) -> dict[str, dict[str, Any]]:
    """The figures a correct pipeline computes, by month: what the generator was told to make."""
    out = {}
    for month in iter_months(start, end):
        menus = monthly_menu_selections(seed, month)
        out[month] = {
            "consultations": channel_counts(seed, month)[SOURCE],
            "chatbot_users": monthly_chatbot_users(seed, month),
            "menu_selections": sum(menus.values()),
            "menus": {MENU_LABELS[k]: v for k, v in menus.items()},
            "blasts": len(monthly_blasts(seed, month)),
        }
    return out


_PRICING = {c: {"billable": True, "pricing_model": "CBP", "category": c} for c in ("service", "utility")}
_REPLIES_CUM = _cum([65, 28, 7])
_FORM_CUM = _cum([48, 16, 14, 12, 10])
_PLAN_FORM_CUM = _cum([48, 16, 14, 12])
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
    """What was simulated for one conversation: what a correct pipeline must find."""

    month: str
    wa_id: str
    started_at: datetime
    handoff: bool
    menus: list[str]
    agent: str | None
    region_text: str | None
    institution_text: str | None
    consultation: str | None = None  # the plan's key ("2023-12/whatsapp/17") of a consultation
    topic: str | None = None
    is_escalated: bool | None = None
    rating: int | None = None
    first_agent_reply_at: datetime | None = None
    closed_at: datetime | None = None
    ended_at: datetime | None = None  # its last event (user message or outbound message)


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
    consultation: Consultation | None = None


@dataclass(frozen=True)
class _Speaker:
    """Who fills in the registration form, and what they type."""

    name: str
    email: str
    region: str | None
    institution: str | None
    questions: list[str]
    styles: list[str]
    styles_cum: list[float]


# Everything of a consultation (agent replies, the close, the rating) happens within
# CONSULTATION_SPAN of its first message, and its user messages end at least
# NEXT_CONSULTATION_GAP before the same user's next consultation, so the 24-hour rule
# never merges two of them (the plan keeps them three days apart). A chatbot-only
# conversation keeps SAME_USER_GAP away from every other conversation of its user.
CONSULTATION_SPAN = timedelta(hours=70)
NEXT_CONSULTATION_GAP = timedelta(hours=25)
SAME_USER_GAP = timedelta(hours=26)
# The user answers the closing survey within this of their previous message (inside
# the 24-hour window); when the office-hours reply would come too late for that, an
# agent on duty answers at once.
RATING_WINDOW = timedelta(hours=20)


def _shift_month(month: str, k: int) -> str:
    y, m = divmod(int(month[:4]) * 12 + int(month[5:7]) - 1 + k, 12)
    return f"{y:04d}-{m + 1:02d}"


def _month_start(month: str) -> datetime:
    return datetime.combine(month_days(month)[0], time(0, 0), LOCAL_TZ).astimezone(UTC)


class WhatsappGenerator:
    """Generates months in order; remembers when each user talked, across months."""

    def __init__(self, seed: int = world.DEFAULT_SEED) -> None:
        self.seed = seed
        self.population = Population(seed)
        self._busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)  # chatbot-only conversations
        # plan consultations by user, by plan key: (first message, last event); a
        # neighbouring month's is registered with CONSULTATION_SPAN until rendered
        self._consulting: dict[int, dict[str, tuple[datetime, datetime]]] = defaultdict(dict)
        self._plans: dict[str, list[Consultation]] = {}
        self._seen: list[int] = []
        self._seen_set: set[int] = set()

    # -------------------------------------------------------------- a month

    def _plan(self, month: str) -> list[Consultation]:
        """The plan's WhatsApp consultations of ``month``, in creation order (the last three kept)."""
        plan = self._plans.get(month)
        if plan is None:
            plan = plan_month(self.seed, month).for_channel(SOURCE)
            expected = channel_counts(self.seed, month)[SOURCE]
            if len(plan) != expected:  # pragma: no cover - the plan's own contract
                raise RuntimeError(f"whatsapp {month}: the plan has {len(plan)} consultations, not {expected}")
            self._plans[month] = plan
            while len(self._plans) > 3:
                del self._plans[next(iter(self._plans))]
        return plan

    def month(self, month: str) -> WhatsappMonth:
        rng = random.Random(f"{self.seed}/whatsapp/{month}/plan")
        out = WhatsappMonth(month)
        consults = [_Conv(True, consultation=c) for c in self._plan(month)]
        bots = [_Conv(False) for _ in range(monthly_chatbot_users(self.seed, month))]
        selections = [m for m, n in monthly_menu_selections(self.seed, month).items() for _ in range(n)]
        rng.shuffle(selections)
        for menu in selections:
            while True:
                pool = bots if rng.random() < 0.72 else consults
                conv = rng.choice(pool)
                if len(conv.menus) < (4 if not conv.handoff else 2):
                    conv.menus.append(menu)
                    break
        # The plan's consultations are fixed in time: register them (and the neighbouring
        # months' near the boundaries) before any chatbot-only user is drawn.
        self._register_neighbours(month)
        next_start = self._next_starts(month)
        for conv in consults:
            self._consultation(conv, next_start.get(conv.consultation.key), out)
        for i, conv in enumerate(bots):
            self._chatbot(month, i, conv, out)
        for j, (day, subject) in enumerate(monthly_blasts(self.seed, month)):
            self._blast(month, j, day, subject, out)
        out.events.sort(key=attrgetter("at"))  # stable: ties keep generation order
        return out

    def _register_neighbours(self, month: str) -> None:
        """The previous month's last consultations (unless rendered) and the next month's first."""
        first, following = _month_start(month), _month_start(_shift_month(month, 1))
        reach = CONSULTATION_SPAN + SAME_USER_GAP
        for c in self._plan(_shift_month(month, -1)):
            if c.created_at >= first - reach:
                self._consulting[c.person.index].setdefault(c.key, (c.created_at, c.created_at + CONSULTATION_SPAN))
        for c in self._plan(_shift_month(month, 1)):
            if c.created_at < following + reach:
                self._consulting[c.person.index].setdefault(c.key, (c.created_at, c.created_at + CONSULTATION_SPAN))

    def _next_starts(self, month: str) -> dict[str, datetime]:
        """Plan key -> when the same user's next WhatsApp consultation starts (this month or the next)."""
        by_user: dict[int, list[Consultation]] = defaultdict(list)
        for c in [*self._plan(month), *self._plan(_shift_month(month, 1))]:
            by_user[c.person.index].append(c)
        out = {}
        for cs in by_user.values():
            cs.sort(key=attrgetter("created_at"))
            for a, b in zip(cs, cs[1:], strict=False):
                out[a.key] = b.created_at
        return out

    def _free(self, index: int, start: datetime, end: datetime) -> bool:
        gap = SAME_USER_GAP
        windows = itertools.chain(self._busy[index], self._consulting[index].values())
        return all(end + gap < s or start > e + gap for s, e in windows)

    def _meet(self, citizen: Citizen) -> None:
        if citizen.index not in self._seen_set:
            self._seen_set.add(citizen.index)
            self._seen.append(citizen.index)

    # ------------------------------------------------------- conversations

    def _consultation(self, conv: _Conv, next_start: datetime | None, out: WhatsappMonth) -> None:
        """One plan consultation: the user's conversation with the chatbot and the plan's agent."""
        c = conv.consultation
        assert c is not None
        rng = random.Random(f"{self.seed}/whatsapp/consultation/{c.key}")
        citizen = c.person.citizen
        start = c.created_at
        steps = self._opening(rng, start, conv.menus)
        t = steps[-1][0] + _secs(rng, 10, 120)
        via_button = bool(conv.menus) and rng.random() < 0.6
        handoff = ("button", "btn_agent") if via_button else ("list", "menu_agent")
        steps.append((t, "user", *handoff))
        if rng.random() < 0.04:  # tapped twice
            t += _secs(rng, 2, 30)
            steps.append((t, "user", *handoff))
        deadline, user_deadline = start + CONSULTATION_SPAN, None
        if next_start is not None:
            deadline = min(deadline, next_start - timedelta(hours=1))
            user_deadline = next_start - NEXT_CONSULTATION_GAP
        for duty in (False, True):
            chain, rating_gap = self._agent_chain(rng, t, c, duty)
            end = max(s[0] for s in chain)
            last_user = max(s[0] for s in [*steps, *chain] if s[1] == "user")
            if (
                end <= deadline
                and (user_deadline is None or last_user <= user_deadline)
                and (rating_gap is None or rating_gap < RATING_WINDOW)
            ):
                break
        else:  # pragma: no cover - the plan keeps a user's consultations three days apart
            raise RuntimeError(f"whatsapp: consultation {c.key} does not fit before the user's next one")
        steps = sorted([*steps, *chain], key=lambda s: s[0])
        self._consulting[citizen.index][c.key] = (start, end)
        self._meet(citizen)

        wa_id = wa_id_of(citizen)
        profile = self._profile_name(rng, citizen)
        speaker = _Speaker(
            c.person.name,
            c.person.email,
            c.region_text,
            c.institution_text,
            TOPIC_QUESTIONS.get(c.topic, QUESTIONS),
            _PLAN_FORM_STYLES,
            _PLAN_FORM_CUM,
        )
        # The agent's wrap-up, which the BSP inbox writes into the closing message's callback data.
        close_cb = _callback(
            kind="bot", step="close", agent=c.agent, topic=c.topic, escalated="1" if c.is_escalated else "0"
        )
        first_reply = closed = None
        context: dict[str, str] = {}
        for ts, who, what, extra in steps:
            if who == "user":
                self._message(out, ts, wa_id, profile, self._inbound(rng, wa_id, ts, what, extra, speaker, context))
                continue
            fate = None
            if what == "agent_reply":
                cb = _callback(kind="agent_reply", agent=c.agent)
                first_reply = first_reply or ts
            elif what == "close":
                cb, closed = close_cb, ts
                if c.rating is not None:
                    fate = "read"  # the user answered the survey it carries
            else:
                cb = _callback(kind="bot", step=what)
            wamid = _wamid(rng, wa_id)
            if what in ("welcome", "answer", "close"):
                context["last"] = wamid
            self._statuses(rng, out, wamid, wa_id, ts, cb, "service", fate)
        out.conversations.append(
            ConversationFacts(
                c.month,
                wa_id,
                start,
                True,
                list(conv.menus),
                c.agent,
                c.region_text,
                c.institution_text,
                consultation=c.key,
                topic=c.topic,
                is_escalated=c.is_escalated,
                rating=c.rating,
                first_agent_reply_at=first_reply,
                closed_at=closed,
                ended_at=end,
            )
        )

    def _chatbot(self, month: str, i: int, conv: _Conv, out: WhatsappMonth) -> None:
        """A conversation that never reaches an agent: a chatbot user."""
        rng = random.Random(f"{self.seed}/whatsapp/{month}/conversation/{i}")
        # Users never start a conversation within 26 h of another of theirs (plan
        # consultations included), so the pipeline's 24-hour rule splits conversations
        # exactly where they were made.
        for _ in range(500):
            citizen = self.population.pick(rng, self._seen, returning_share=0.25)
            start = self._start(rng, month, i, _tz_shift(citizen))
            steps = self._opening(rng, start, conv.menus)
            if rng.random() < 0.3:
                steps.append((steps[-1][0] + _secs(rng, 10, 120), "user", "button", "btn_selesai"))
            end = max(s[0] for s in steps)
            if self._free(citizen.index, start, end):
                break
        else:  # pragma: no cover
            raise RuntimeError("whatsapp: no free citizen found")
        self._busy[citizen.index].append((start, end))
        self._meet(citizen)
        wa_id = wa_id_of(citizen)
        profile = self._profile_name(rng, citizen)
        region = typed_region(rng, citizen.region)
        institution = typed_institution(rng, citizen)
        if rng.random() < 0.1:
            region = typo(rng, region)
        if rng.random() < 0.08:
            institution = typo(rng, institution)
        speaker = _Speaker(citizen.name, citizen.email, region, institution, QUESTIONS, _FORM_STYLES, _FORM_CUM)
        context: dict[str, str] = {}  # the wamid of the last list/button message the bot sent
        for ts, who, what, extra in steps:
            if who == "user":
                self._message(out, ts, wa_id, profile, self._inbound(rng, wa_id, ts, what, extra, speaker, context))
            else:
                wamid = _wamid(rng, wa_id)
                context["last"] = wamid
                self._statuses(rng, out, wamid, wa_id, ts, _callback(kind="bot", step=what), "service")
        out.conversations.append(
            ConversationFacts(month, wa_id, start, False, list(conv.menus), None, region, institution, ended_at=end)
        )

    def _start(self, rng: random.Random, month: str, i: int, shift_h: int) -> datetime:
        if i < 2:  # a couple a month in the first local hours of the 1st: still last month in UTC
            return boundary_timestamp(rng, month)
        while True:
            ts = local_timestamp(rng, month, PATTERN) - timedelta(hours=shift_h)
            if local_month(ts) == month:
                return ts

    @staticmethod
    def _message(out: WhatsappMonth, ts: datetime, wa_id: str, profile: str, msg: dict[str, Any]) -> None:
        value = {
            "messaging_product": "whatsapp",
            "metadata": METADATA,
            "contacts": [{"profile": {"name": profile}, "wa_id": wa_id}],
            "messages": [msg],
        }
        out.events.append(Event(ts, "message", value))

    @staticmethod
    def _profile_name(rng: random.Random, c: Citizen) -> str:
        r = rng.random()
        if r < 0.5:
            return c.first_name + NAME_SUFFIXES[rng.randrange(len(NAME_SUFFIXES))]
        if r < 0.85:
            return c.name
        return rng.choice(["~", "Admin", "Keuangan", "BPKAD", "Ibu", "Bpk"]) + " " + c.first_name

    @staticmethod
    def _opening(rng: random.Random, start: datetime, menus: list[str]) -> list[tuple]:
        """(time, "user"|"out", what, extra) of a conversation's start: greeting, form, menus."""
        steps: list[tuple] = []
        t = start
        greet = rng.random() < 0.7
        steps.append((t, "user", "first", greet))
        t += _secs(rng, 1, 4)
        steps.append((t, "out", "welcome", None))  # the form to fill in, and the main menu list
        t += _secs(rng, 40, 400)
        steps.append((t, "user", "form", None))
        for menu in menus:
            # every answer is itself a list with the main menu: the next pick replies to it
            t += _secs(rng, 10, 90)
            steps.append((t, "user", "list", menu))
            t += _secs(rng, 1, 3)
            steps.append((t, "out", "answer", None))
            if menu in SUBMENUS and rng.random() < 0.4:
                t += _secs(rng, 10, 60)
                steps.append((t, "user", "list", rng.choice(SUBMENUS[menu])[0]))
                t += _secs(rng, 1, 3)
                steps.append((t, "out", "answer", None))
        return steps

    @staticmethod
    def _agent_chain(
        rng: random.Random, handoff_at: datetime, c: Consultation, duty: bool
    ) -> tuple[list[tuple], timedelta | None]:
        """Agent replies (and follow-ups), the close and the rating after "Chat Agent".

        In office hours (WIB) unless ``duty``: an agent on duty answers within the hour.
        Returns the steps and, for a rated consultation, how long after their previous
        message the user answered the survey.
        """
        steps: list[tuple] = []
        last_user = handoff_at
        if duty:
            reply = handoff_at + _secs(rng, 120, 3600)
        else:
            reply = next_office_time(handoff_at + _secs(rng, 30, 600)) + _secs(rng, 60, 2400)
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
        if c.rating is None:
            return steps, None
        at = close + _secs(rng, 20, 900)
        if rng.random() < 0.03:  # taps another value first, then corrects it: the last answer counts
            steps.append((at, "user", "rating", rng.choice([v for v in RATING_ROWS if v != c.rating])))
            at += _secs(rng, 5, 120)
        steps.append((at, "user", "rating", c.rating))
        return steps, at - last_user

    def _inbound(
        self,
        rng: random.Random,
        wa_id: str,
        ts: datetime,
        what: str,
        extra: Any,
        who: _Speaker,
        context: dict[str, str],
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {"from": wa_id, "id": _wamid(rng, wa_id), "timestamp": unix(ts)}
        if what in ("list", "button", "rating"):
            msg["context"] = {
                "from": DISPLAY_PHONE_NUMBER,
                "id": context.get("last", _wamid(rng, DISPLAY_PHONE_NUMBER)),
            }
        if what == "first":
            body = rng.choice(GREETINGS) if extra else rng.choice(who.questions)
            msg.update(type="text", text={"body": body})
        elif what == "form":
            msg.update(type="text", text={"body": self._form(rng, who)})
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
            msg.update(
                type="interactive", interactive={"type": "button_reply", "button_reply": {"id": extra, "title": title}}
            )
        elif what == "rating":
            rid, title = RATING_ROWS[extra]
            msg.update(
                type="interactive", interactive={"type": "list_reply", "list_reply": {"id": rid, "title": title}}
            )
        elif rng.random() < 0.06:
            msg.update(
                type="image",
                image={
                    "id": str(rng.getrandbits(50)),
                    "mime_type": "image/jpeg",
                    "sha256": hashlib.sha256(msg["id"].encode()).hexdigest(),
                },
            )
        else:
            msg.update(type="text", text={"body": rng.choice(FOLLOW_UPS)})
        return msg

    @staticmethod
    def _form(rng: random.Random, who: _Speaker) -> str:
        name = who.name if rng.random() < 0.8 else who.name.upper()
        email = who.email if rng.random() < 0.93 else "-"
        question = rng.choice(who.questions)
        if rng.random() < 0.1:
            question = typo(rng, question) or question
        region, institution = who.region, who.institution
        r = region if region is not None else ""
        inst = institution if institution is not None else ""
        style = _pick(rng, who.styles, who.styles_cum)
        if style == "labels":
            lines = [
                f"Nama: {name}",
                f"Daerah: {r}",
                f"Instansi/SKPD: {inst}",
                f"Email: {email}",
                f"Pertanyaan: {question}",
            ]
        elif style == "numbered":
            lines = [
                f"1. Nama : {name}",
                f"2. Daerah : {r}",
                f"3. Instansi : {inst}",
                f"4. E-mail : {email}",
                f"5. Pertanyaan : {question}",
            ]
        elif style == "hash":
            return "#".join([name, r, inst, email, question])
        elif style == "loose":
            lines = [
                f"nama = {name}",
                f"asal daerah: {r}",
                f"SKPD : {inst}",
                f"email:{email}",
                f"pertanyaan: {question}",
            ]
            rng.shuffle(lines)
        else:
            where = f" dari {inst}" if inst else ""
            where += f" {r}" if r else ""
            return f"Saya {name}{where}, ingin bertanya: {question}"
        if region is None and rng.random() < 0.5:
            lines = [ln for ln in lines if "aerah" not in ln]
        return "\n".join(lines)

    # ------------------------------------------------------------- statuses

    def _statuses(
        self,
        rng: random.Random,
        out: WhatsappMonth,
        wamid: str,
        wa_id: str,
        sent: datetime,
        cb: str,
        category: str,
        fate: str | None = None,
    ) -> str:
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
            obj: dict[str, Any] = {
                "id": wamid,
                "status": status,
                "timestamp": unix(ts),
                "recipient_id": wa_id,
                "biz_opaque_callback_data": cb,
            }
            if status == "sent":
                obj["pricing"] = pricing
            if status == "failed":
                code, title = rng.choice(
                    [
                        (131026, "Message undeliverable"),
                        (131049, "This message was not delivered to maintain healthy ecosystem engagement."),
                        (131047, "Re-engagement message"),
                    ]
                )
                obj["errors"] = [{"code": code, "title": title, "message": title, "error_data": {"details": title}}]
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
            final[
                self._statuses(
                    rng, out, _wamid(rng, wa_id), wa_id, sent + timedelta(seconds=k * 0.4), cb, "utility", fate
                )
            ] += 1
        out.blasts.append(BlastFacts(blast_id, day, subject, template, final))


def iter_whatsapp_months(
    seed: int = world.DEFAULT_SEED, start: str = world.DEFAULT_START, end: str = world.DEFAULT_END
) -> Iterator[WhatsappMonth]:
    gen = WhatsappGenerator(seed)
    for month in iter_months(start, end):
        yield gen.month(month)
