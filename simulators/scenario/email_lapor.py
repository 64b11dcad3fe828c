"""Email Lapor part of the simulated world: routine reports mailed by local governments.

The mailbox lapor.djpk@kemenkeu.go.id receives the routine reports of the local
governments (Pemda): the requirements for the monthly DAU and DBH disbursements
("syarat salur"), the realisation of salaries (Gaji Induk PNSD & PPPK + TPP),
APBD documents, ... Each generated message is a complete RFC 5322 message (with
PDF/XLSX attachments of a few random bytes) plus its ground truth: the report
type a careful reader would give it, whether the gateway flagged it as spam,
and whether it is a re-delivery of an earlier message (same Message-ID).

Counting rule of the calibration: messages that are not spam, counted once per
Message-ID (the first delivery), bucketed by the month of their received time
(the mailbox's INTERNALDATE) in Asia/Jakarta local time.

Deterministic by seed: every draw comes from ``random.Random(f"{seed}/email_lapor/...")``;
no clock, no global ``random`` (MIME boundaries are set explicitly).
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.header import Header
from email.utils import encode_rfc2231, format_datetime
from functools import lru_cache

from simulators.scenario import world
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
    typo,
)

SOURCE = "email_lapor"
MAILBOX_ADDRESS = "lapor.djpk@kemenkeu.go.id"
GATEWAY = "mx1.kemenkeu.go.id"

# Report types (key -> the label the report prints).
REPORT_TYPES: dict[str, str] = {
    "dau": "Laporan Syarat Salur DAU",
    "dbh": "Laporan Syarat Salur DBH",
    "gaji": "Laporan Realisasi Gaji Induk PNSD & PPPK + TPP",
    "realisasi_apbd": "Laporan Realisasi APBD",
    "apbd": "Laporan APBD",
}
UNCLASSIFIED = "unclassified"
TYPE_KEYS = [*REPORT_TYPES, UNCLASSIFIED]

# ----------------------------------------------------------------- calibration
# Countable messages per Asia/Jakarta month (published: Dec 2022 645, Nov 2023 409,
# Dec 2023 536, 2023 year to date 8,723). January-October 2023 are chosen here so
# that the 2023 total is exactly 8,723 (7,778 + 409 + 536).
MONTH_TOTALS: dict[str, int] = {
    "2022-12": 645,
    "2023-01": 912,
    "2023-02": 845,
    "2023-03": 781,
    "2023-04": 702,
    "2023-05": 768,
    "2023-06": 815,
    "2023-07": 790,
    "2023-08": 742,
    "2023-09": 705,
    "2023-10": 718,
    "2023-11": 409,
    "2023-12": 536,
}
# December 2023 by report type, as published (466 + 52 + 8 = 526) plus the ten
# messages that fit no type: 536.
FIXED_BREAKDOWN: dict[str, dict[str, int]] = {
    "2023-12": {"dau": 466, "dbh": 52, "gaji": 8, UNCLASSIFIED: 10},
}
# Months outside the calibrated range: a total drawn from this range.
DEFAULT_RANGE = (380, 950)

# The mix of report types by month of the year (relative weights).
_BASE_MIX = {"dau": 80.0, "dbh": 7.0, "gaji": 4.0, "realisasi_apbd": 1.0, "apbd": 1.0, UNCLASSIFIED: 2.0}
_MONTH_MIX: dict[int, dict[str, float]] = {
    1: {"apbd": 12.0, "realisasi_apbd": 3.0},  # APBD (Perda/Perkada) of the new year
    2: {"apbd": 8.0, "realisasi_apbd": 4.0},
    3: {"dbh": 12.0, "realisasi_apbd": 5.0},  # quarterly DBH; annual realisation
    6: {"dbh": 12.0},
    7: {"realisasi_apbd": 8.0},  # semester I realisation
    8: {"realisasi_apbd": 4.0, "apbd": 3.0},  # APBD-P
    9: {"dbh": 12.0, "apbd": 4.0},
    12: {"dbh": 10.0, "gaji": 1.5, "realisasi_apbd": 0.0, "apbd": 0.0},
}

PATTERN = TimePattern(weekend_weight=0.05, office_share=0.9)
SPAM_PER_MONTH = (3, 14)
DUPLICATE_SHARE = 0.03  # re-deliveries of the same Message-ID
NO_MESSAGE_ID_SHARE = 0.004
BAD_DATE_SHARE = 0.05  # Date header in the wrong zone or missing

BLN = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des"]


def monthly_total(seed: int, month: str) -> int:
    if month in MONTH_TOTALS:
        return MONTH_TOTALS[month]
    return random.Random(f"{seed}/email_lapor/total/{month}").randint(*DEFAULT_RANGE)


def monthly_breakdown(seed: int, month: str) -> dict[str, int]:
    """Countable messages of ``month`` by report type key (incl. "unclassified")."""
    if month in FIXED_BREAKDOWN:
        return {k: FIXED_BREAKDOWN[month].get(k, 0) for k in TYPE_KEYS}
    total = monthly_total(seed, month)
    rng = random.Random(f"{seed}/email_lapor/mix/{month}")
    mix = {**_BASE_MIX, **_MONTH_MIX.get(int(month[5:7]), {})}
    weights = {k: mix[k] * rng.uniform(0.85, 1.15) for k in TYPE_KEYS}
    s = sum(weights.values())
    exact = {k: total * w / s for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (counts[k] - exact[k], k))[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


# ------------------------------------------------------------------- messages


@dataclass
class Mail:
    """One delivery into the mailbox: the raw RFC 5322 bytes plus the ground truth."""

    raw: bytes
    received_at: datetime  # the INTERNALDATE the server gives it (UTC)
    message_id: str | None
    report_type: str  # key of REPORT_TYPES or "unclassified" ("spam" for spam)
    is_spam: bool = False
    is_duplicate: bool = False  # a re-delivery of an earlier Message-ID: not counted again
    sender: str = ""
    subject: str | None = None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    body: str = ""

    @property
    def countable(self) -> bool:
        return not self.is_spam and not self.is_duplicate

    @property
    def month(self) -> str:
        return local_month(self.received_at)


@dataclass(frozen=True)
class Sender:
    address: str
    name: str
    region_name: str  # e.g. "Wajo"
    region_kind: str  # kab | kota | prov
    institution: str


@lru_cache(maxsize=8)
def _senders(seed: int) -> tuple[Sender, ...]:
    """Staff of local governments who mail reports: the Pemda citizens of the world."""
    pop = Population(seed)
    out = []
    for i in range(pop.size):
        c: Citizen = pop.citizen(i)
        if c.kind != "pemda" or c.region is None:
            continue
        out.append(Sender(_address(seed, c), c.name, c.region.name, c.region.kind, c.institution))
    return tuple(out)


def _address(seed: int, c: Citizen) -> str:
    rng = random.Random(f"{seed}/email_lapor/sender/{c.index}")
    r = c.region
    assert r is not None
    suffix = {"kab": "kab", "kota": "kota", "prov": "prov"}[r.kind]
    local = c.email.split("@")[0]
    style = rng.choices(["bpkad", "pemda", "personal"], [45, 15, 40])[0]
    if style == "personal":
        return c.email
    box = rng.choice(["bpkad", "keuangan", "akuntansi", "anggaran", "perbendaharaan", local, local])
    if style == "bpkad":
        return f"{box}@bpkad.{r.slug}{suffix}.go.id"
    return f"{box}@{r.slug}{suffix}.go.id"


def _region_text(rng: random.Random, s: Sender) -> str:
    n = s.region_name
    if s.region_kind == "kab":
        opts = [f"Kab. {n}", f"Kabupaten {n}", f"Pemkab {n}", f"KAB. {n.upper()}", f"kab {n.lower()}", n]
    elif s.region_kind == "kota":
        opts = [f"Kota {n}", f"Pemkot {n}", f"KOTA {n.upper()}", f"kota {n.lower()}", n]
    else:
        opts = [f"Prov. {n}", f"Provinsi {n}", f"Pemprov {n}", f"PROVINSI {n.upper()}", n]
    return rng.choice(opts)


def _maybe_typo(rng: random.Random, word: str, p: float = 0.12) -> str:
    """A keyboard slip in a word that carries no report-type keyword."""
    return (typo(rng, word) or word) if rng.random() < p else word


def _period(received_at: datetime) -> tuple[int, int]:
    """(year, month) a report is about: usually the month of sending, sometimes the previous one."""
    local = received_at.astimezone(LOCAL_TZ)
    return local.year, local.month


def _caps(rng: random.Random, text: str) -> str:
    r = rng.random()
    if r < 0.12:
        return text.upper()
    if r < 0.22:
        return text.lower()
    return text


def _content(rng: random.Random, kind: str, s: Sender, received_at: datetime) -> tuple[str | None, list[str]]:
    """Subject and attachment file names as people write them, for report type ``kind``.

    Keywords that identify the type (DAU, DBH, Gaji, TPP, APBD) are never mangled;
    the words around them are (abbreviations, typos, caps, Fwd:/Re:).
    """
    y, m = _period(received_at)
    if rng.random() < 0.3:  # about the previous month
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    bulan, bln, yy = world.BULAN[m - 1], BLN[m - 1], str(y)[2:]
    region = _region_text(rng, s)
    reg_file = s.region_name.replace(" ", "_")
    lap = rng.choice(["Laporan", "Laporan", "Lap.", "Lap", "LAPORAN", "Penyampaian Laporan", "Kirim laporan"])
    lap = _maybe_typo(rng, lap)
    syarat = _maybe_typo(
        rng,
        rng.choice(
            [
                "Syarat Salur",
                "Syarat Salur",
                "syarat salur",
                "Syarat Penyaluran",
                "Persyaratan Penyaluran",
                "Syarat Slur",
                "Sarat Salur",
            ]
        ),
    )
    subject: str | None
    files: list[str]
    if kind == "dau":
        subject = rng.choice(
            [
                f"{lap} {syarat} DAU {bulan} {y} {region}",
                f"{syarat} DAU bln {bulan} {region}",
                f"{lap} {syarat} DAU - {region.upper()}",
                f"{lap} {syarat} Dana Alokasi Umum {bulan} {y}",
                f"{syarat} dau {bln} {yy} {region}",
                f"{lap} Syarat Salur DAU {region}",
                f"{lap} bulan {bulan} {region}",  # the type is only in the attachment's name
            ]
        )
        files = [
            rng.choice(
                [
                    f"Syarat Salur DAU {bln} {y}.pdf",
                    f"LAP_SYARAT_SALUR_DAU_{reg_file.upper()}_{bln.upper()}{yy}.pdf",
                    f"syarat salur dau {reg_file.lower()} {bulan.lower()}.pdf",
                    f"DAU_{bln}_{y}.pdf",
                    f"Rekap Penggunaan DAU {bulan} {y}.xlsx",
                ]
            )
        ]
    elif kind == "dbh":
        subject = rng.choice(
            [
                f"{lap} {syarat} DBH {bulan} {y} {region}",
                f"{syarat} DBH {region}",
                f"{lap} {syarat} Dana Bagi Hasil TW {(m - 1) // 3 + 1} {y}",
                f"{lap} Penggunaan DBH CHT {region}",
                f"{lap} {syarat} DBH SDA {bln} {yy}",
            ]
        )
        files = [
            rng.choice(
                [
                    f"Syarat Salur DBH {bln} {y}.pdf",
                    f"LAP_DBH_{reg_file.upper()}_{bln.upper()}{yy}.pdf",
                    f"Laporan Penggunaan DBH CHT {y}.xlsx",
                    f"dbh {reg_file.lower()}.pdf",
                ]
            )
        ]
    elif kind == "gaji":
        subject = rng.choice(
            [
                f"{lap} Realisasi Gaji Induk PNSD & PPPK + TPP {bulan} {y}",
                f"{lap} realisasi gaji induk PNSD dan PPPK {region}",
                f"Realisasi Gaji & TPP {bln} {yy} {region}",
                f"{lap} Gaji Induk PNSD PPPK + TPP (syarat salur DAU) {region}",  # DAU too: the gaji rule wins
                f"{lap} realisasi TPP {bulan} {region}",
            ]
        )
        files = [
            rng.choice(
                [
                    f"Realisasi Gaji Induk {bln} {y}.xlsx",
                    f"REALISASI_GAJI_TPP_{reg_file.upper()}.xlsx",
                    f"Rekap Gaji PNSD PPPK {bulan}.pdf",
                ]
            )
        ]
    elif kind == "realisasi_apbd":
        subject = rng.choice(
            [
                f"{lap} Realisasi APBD Semester I {y} {region}",
                f"{lap} Realisasi APBD TA {y - 1} {region}",
                f"Realisasi APBD {region}",
            ]
        )
        files = [rng.choice([f"Realisasi APBD Smt I {y}.xlsx", f"LAP_REALISASI_APBD_{reg_file.upper()}.pdf"])]
    elif kind == "apbd":
        subject = rng.choice(
            [
                f"Penyampaian Perda APBD TA {y} {region}",
                f"Perkada Penjabaran APBD {y} {region}",
                f"{lap} APBD Perubahan {y} {region}",
                f"Data APBD {y} {region}",
            ]
        )
        files = [
            rng.choice([f"Perda APBD {y}.pdf", f"Perkada Penjabaran APBD {y}.pdf", f"APBD_{reg_file.upper()}_{y}.xlsx"])
        ]
    else:  # fits no type
        subject = rng.choice(
            [
                f"Mohon konfirmasi penerimaan email {region}",
                "Surat Pengantar",
                f"Permohonan akses aplikasi SIKD {region}",
                f"{lap} bulanan {region}",
                "Mohon informasi",
                None,  # no subject at all
                f"Undangan rapat koordinasi {region}",
                f"Fwd: surat nomor 900/{rng.randrange(100, 999)}/BPKAD",
            ]
        )
        files = [
            rng.choice(
                [
                    "scan0001.pdf",
                    "Surat Pengantar.pdf",
                    f"dokumen_{rng.randrange(1, 99)}.pdf",
                    f"Scan_{y}{m:02d}{rng.randrange(1, 28):02d}.pdf",
                    "lampiran.xlsx",
                ]
            )
        ]
    if subject is not None:
        subject = _caps(rng, subject)
        if rng.random() < 0.08:
            subject = rng.choice(["Fwd: ", "FW: ", "Re: ", "RE: "]) + subject
        if rng.random() < 0.05:
            subject = subject.replace(" - ", " \u2013 ")  # en dash: a MIME encoded word
    if kind != UNCLASSIFIED and rng.random() < 0.35:
        files.append(rng.choice(["Surat Pengantar.pdf", "SPTJM.pdf", f"scan{rng.randrange(1, 999):04d}.pdf"]))
    if kind != UNCLASSIFIED and rng.random() < 0.03:
        files = files[:1]  # a single, accented file name (RFC 2231)
        stem, ext = files[0].rsplit(".", 1)
        files[0] = f"{stem} (revisi\u0301).{ext}"
    if kind == UNCLASSIFIED and rng.random() < 0.2:
        files = []
    return subject, files


SPAM_SUBJECTS = [
    "Pinjaman dana cepat cair tanpa jaminan",
    "Your mailbox storage is full",
    "Penawaran jasa pembuatan website desa",
    "Info pencairan DAU cepat, hubungi kami",
    "Congratulations! You have won",
    "Jasa SEO murah untuk instansi",
    "RE: invoice overdue",
    "Slot gacor hari ini",
]
SPAM_SENDERS = [
    "promo@promo-mail.biz",
    "support@mailbox-upgrade.xyz",
    "kevin.marketing@outlook.com",
    "admin@seo-rank.xyz",
    "winner@lucky-draw.ru",
]

BODY = (
    "Yth. Bapak/Ibu Pengelola Email Lapor DJPK,\n\n"
    "Bersama ini kami sampaikan {what} sebagaimana terlampir.\n"
    "Atas perhatian dan kerja samanya kami ucapkan terima kasih.\n\n"
    "Hormat kami,\n{name}\n{institution}\n"
)

_CONTENT_TYPES = {
    "pdf": ("application", "pdf"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _message_id(rng: random.Random, address: str) -> str:
    domain = address.split("@", 1)[1]
    token = "".join(rng.choice("0123456789abcdef") for _ in range(24))
    if domain in ("gmail.com",):
        return f"<CA+{token}@mail.gmail.com>"
    return f"<{token}.{rng.randrange(10**6)}@{domain}>"


def _header_text(value: str) -> str:
    """A header value: as is when ASCII, else one RFC 2047 encoded word (as most clients write it)."""
    if value.isascii():
        return value
    return Header(value, "utf-8").encode()


def _filename_params(name: str) -> str:
    if name.isascii():
        return f'filename="{name}"'
    return "filename*=" + encode_rfc2231(name, "utf-8")


def _build(
    rng: random.Random,
    *,
    sender: str,
    sender_name: str,
    subject: str | None,
    files: list[str],
    received_at: datetime,
    message_id: str | None,
    body: str,
    spam: bool,
    date_style: str,
) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The raw message, assembled the way a mail client writes it (CRLF line ends)."""
    h = [
        f"Return-Path: <{sender}>",
        f"Received: from mail.{sender.split('@', 1)[1]} by {GATEWAY} with ESMTPS;\r\n"
        f"\t{format_datetime(received_at.astimezone(LOCAL_TZ))}",
    ]
    if spam:
        h += ["X-Spam-Flag: YES", f"X-Spam-Status: Yes, score={rng.uniform(6, 25):.1f} required=5.0"]
    else:
        h += [f"X-Spam-Status: No, score={rng.uniform(-2, 3):.1f} required=5.0"]
    h.append(f"From: {_header_text(sender_name)} <{sender}>" if sender_name else f"From: {sender}")
    h.append(f"To: {MAILBOX_ADDRESS}")
    if subject is not None:
        h.append(f"Subject: {_header_text(subject)}")
    sent = received_at - timedelta(seconds=rng.randrange(2, 240))
    if date_style == "ok":
        h.append(f"Date: {format_datetime(sent.astimezone(LOCAL_TZ))}")
    elif date_style == "wrong_zone":  # local wall clock labelled as UTC
        h.append(f"Date: {format_datetime(sent.astimezone(LOCAL_TZ).replace(tzinfo=UTC))}")
    if message_id is not None:
        h.append(f"Message-ID: {message_id}")
    h.append("MIME-Version: 1.0")
    text = body.replace("\n", "\r\n").encode("utf-8")
    attachments = []
    if not files:
        h += ['Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: 8bit"]
        return ("\r\n".join(h) + "\r\n\r\n").encode() + text, attachments
    boundary = "=_djpk_" + "".join(rng.choice("0123456789abcdef") for _ in range(20))
    h.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
    parts = [
        b"This is a multi-part message in MIME format.\r\n",
        f'--{boundary}\r\nContent-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'.encode()
        + text
        + b"\r\n",
    ]
    for name in files:
        data = rng.randbytes(rng.randrange(64, 640))
        maintype, subtype = _CONTENT_TYPES[name.rsplit(".", 1)[1]]
        encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
        parts.append(
            f"--{boundary}\r\nContent-Type: {maintype}/{subtype}\r\n"
            f"Content-Disposition: attachment; {_filename_params(name)}\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n".encode()
            + encoded
        )
        attachments.append((name, data))
    parts.append(f"--{boundary}--\r\n".encode())
    return ("\r\n".join(h) + "\r\n\r\n").encode() + b"".join(parts), attachments


def generate_month(seed: int, month: str) -> list[Mail]:
    """Every delivery of ``month`` (countable messages, spam and re-deliveries)."""
    rng = random.Random(f"{seed}/email_lapor/{month}/content")
    senders = _senders(seed)
    mails: list[Mail] = []
    kinds = [k for k, n in monthly_breakdown(seed, month).items() for _ in range(n)]
    rng.shuffle(kinds)
    n_boundary = rng.randint(1, 2)
    for i, kind in enumerate(kinds):
        s = rng.choice(senders)
        received_at = boundary_timestamp(rng, month) if i < n_boundary else local_timestamp(rng, month, PATTERN)
        subject, files = _content(rng, kind, s, received_at)
        mid = None if rng.random() < NO_MESSAGE_ID_SHARE else _message_id(rng, s.address)
        date_style = rng.choices(
            ["ok", "wrong_zone", "missing"], [1 - BAD_DATE_SHARE, BAD_DATE_SHARE * 0.8, BAD_DATE_SHARE * 0.2]
        )[0]
        what = REPORT_TYPES.get(kind, "dokumen")
        body = BODY.format(what=what.lower(), name=s.name, institution=s.institution)
        raw, atts = _build(
            rng,
            sender=s.address,
            sender_name=s.name if rng.random() < 0.8 else "",
            subject=subject,
            files=files,
            received_at=received_at,
            message_id=mid,
            body=body,
            spam=False,
            date_style=date_style,
        )
        mails.append(Mail(raw, received_at, mid, kind, sender=s.address, subject=subject, attachments=atts, body=body))
        if mid is not None and rng.random() < DUPLICATE_SHARE:
            # the same message delivered again (re-sent by the client or a relay): same Message-ID
            again = received_at + timedelta(seconds=rng.randrange(60, 3 * 86400))
            raw2 = raw.replace(
                format_datetime(received_at.astimezone(LOCAL_TZ)).encode(),
                format_datetime(again.astimezone(LOCAL_TZ)).encode(),
                1,
            )
            mails.append(
                Mail(
                    raw2,
                    again,
                    mid,
                    kind,
                    is_duplicate=True,
                    sender=s.address,
                    subject=subject,
                    attachments=atts,
                    body=body,
                )
            )
    for _ in range(rng.randint(*SPAM_PER_MONTH)):
        received_at = local_timestamp(rng, month, TimePattern(0.8, 0.4))
        sender = rng.choice(SPAM_SENDERS)
        subject = rng.choice(SPAM_SUBJECTS)
        files = [rng.choice(["invoice.pdf", "Penawaran.pdf", "bonus.xlsx"])] if rng.random() < 0.4 else []
        body = "Dapatkan penawaran terbaik hari ini. Klik tautan berikut."
        mid = _message_id(rng, sender)
        raw, atts = _build(
            rng,
            sender=sender,
            sender_name="",
            subject=subject,
            files=files,
            received_at=received_at,
            message_id=mid,
            body=body,
            spam=True,
            date_style="ok",
        )
        mails.append(
            Mail(
                raw, received_at, mid, "spam", is_spam=True, sender=sender, subject=subject, attachments=atts, body=body
            )
        )
    return mails


def generate(
    seed: int = world.DEFAULT_SEED, start: str = world.DEFAULT_START, end: str = world.DEFAULT_END
) -> list[Mail]:
    """Every delivery of the range, in the order the mailbox received them."""
    mails = [m for month in iter_months(start, end) for m in generate_month(seed, month)]
    mails.sort(key=lambda m: (m.received_at, hashlib.sha256(m.raw).hexdigest()))
    return mails


def expected_counts(mails: list[Mail]) -> dict[str, Counter]:
    """Countable messages by Asia/Jakarta month of first delivery and report type key."""
    first: dict[str, Mail] = {}
    out: dict[str, Counter] = {}
    for m in mails:  # in delivery order
        if m.is_spam:
            continue
        key = m.message_id or hashlib.sha256(m.raw).hexdigest()
        if key in first:
            continue
        first[key] = m
        out.setdefault(m.month, Counter())[m.report_type] += 1
    return out


__all__ = [
    "MAILBOX_ADDRESS",
    "MONTH_TOTALS",
    "Mail",
    "REPORT_TYPES",
    "UNCLASSIFIED",
    "expected_counts",
    "generate",
    "generate_month",
    "monthly_breakdown",
    "monthly_total",
]
