"""The seeded employee-advocacy world: participation records that reproduce every
published snapshot (snapshots.yaml), and the programme's reference data.

Per edition the snapshot gives R (distinct employees), the distinct (employee, type)
counts per activation type and the distinct (employee, platform) counts per platform.
The records are built so that exactly those counts come out: the edition's R
employees (drawn per UE1 from that unit's staff) are walked cyclically once per type
(``count`` consecutive employees get the type; each count <= R and the counts sum to
>= R, so everyone gets at least one type and nobody the same type twice), likewise for
platforms; an employee then has one record per (type, platform) pair of the zip of
their types and platforms (cycling the shorter list). Every record is one action.

On top of the valid records, the mess a real export has (docs/sources/employee_advocacy.md):
re-exports of the same rows, a late export of an old edition, rows the programme's
validation rejected, rows with an unknown UE1 code, an edition without a target.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
TYPES = ("konten_tersedia", "like_comment_share", "kreasi_konten_mandiri")
PLATFORMS = ("instagram", "facebook", "twitter", "whatsapp", "linkedin", "tiktok", "youtube")

# Echelon-1 units of the Ministry of Finance (2023) and their headcount (sums to 78,754).
UE1_HEADCOUNT = {
    "DJP": 45112,
    "DJBC": 16480,
    "DJPB": 7205,
    "DJKN": 3912,
    "SETJEN": 2101,
    "BPPK": 1203,
    "DJA": 548,
    "ITJEN": 512,
    "DJPK": 452,
    "BKF": 441,
    "LNSW": 406,
    "DJPPR": 382,
}
UE1_NAMES = {
    "DJP": "Direktorat Jenderal Pajak",
    "DJBC": "Direktorat Jenderal Bea dan Cukai",
    "DJPB": "Direktorat Jenderal Perbendaharaan",
    "DJKN": "Direktorat Jenderal Kekayaan Negara",
    "SETJEN": "Sekretariat Jenderal",
    "BPPK": "Badan Pendidikan dan Pelatihan Keuangan",
    "DJA": "Direktorat Jenderal Anggaran",
    "ITJEN": "Inspektorat Jenderal",
    "DJPK": "Direktorat Jenderal Perimbangan Keuangan",
    "BKF": "Badan Kebijakan Fiskal",
    "LNSW": "Lembaga National Single Window",
    "DJPPR": "Direktorat Jenderal Pengelolaan Pembiayaan dan Risiko",
}
# How much more than its share of staff a unit takes part (DJPK publishes the content).
UE1_ENGAGEMENT = {"DJPK": 4.0, "SETJEN": 1.5, "BKF": 1.5, "DJA": 1.3}

TITLES = [
    "Transfer ke Daerah 2023",
    "Dana Desa untuk Pemulihan Ekonomi",
    "DAK Fisik Tepat Sasaran",
    "SIKD Terbuka",
    "Pajak Daerah dan Retribusi Daerah",
    "Hari Kartini: Perempuan Pengelola Keuangan Daerah",
    "Dana Bagi Hasil",
    "Ramadan Berbagi Informasi",
    "UU HKPD Setahun",
    "Insentif Fiskal Daerah",
    "Dana Alokasi Umum",
    "Kemerdekaan dan Kemandirian Fiskal",
    "Belanja Daerah Berkualitas",
    "Pembiayaan Daerah",
    "Dana Otonomi Khusus",
    "APBD Tepat Waktu",
    "Sinergi Pusat dan Daerah",
    "Hari Oeang ke-77",
    "Pengawasan DAK",
    "Digitalisasi Pemda",
    "Penyaluran TKD Triwulan IV",
    "Hari Pahlawan: Pahlawan Fiskal",
    "Evaluasi Perda PDRD",
    "Dana Desa 2024",
    "Refleksi Akhir Tahun TKD",
]
EDITION_DATES = [  # publish dates: 6 in Q1, 5 in Q2, 9 in Q3, 5 in Q4
    "2023-01-16",
    "2023-01-30",
    "2023-02-13",
    "2023-02-27",
    "2023-03-13",
    "2023-03-27",
    "2023-04-17",
    "2023-05-08",
    "2023-05-22",
    "2023-06-05",
    "2023-06-19",
    "2023-07-03",
    "2023-07-17",
    "2023-07-31",
    "2023-08-07",
    "2023-08-14",
    "2023-08-28",
    "2023-09-04",
    "2023-09-18",
    "2023-09-25",
    "2023-10-09",
    "2023-10-30",
    "2023-11-13",
    "2023-11-27",
    "2023-12-11",
]


@cache
def snapshots() -> dict:
    return yaml.safe_load((HERE / "snapshots.yaml").read_text(encoding="utf-8"))


def edition_id(index: int, year: int = 2023) -> str:
    return f"EA{year % 100:02d}-{index:02d}"


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def realised_figures(ed: dict) -> tuple[int, dict[str, int], dict[str, int]]:
    """R, counts per type, counts per platform that the stand-in realises for one snapshot."""
    fills = snapshots()["stand_in_fills"]
    r = ed["realisasi_pegawai"]
    types = dict(ed["activations"])
    platforms = dict(ed["platforms"])
    own = fills.get(ed["id"], {})
    types.update(own.get("activations", {}))
    if "platforms" in own:
        platforms = {p: own["platforms"].get(p, 0) for p in PLATFORMS}
    elif ed.get("unlabeled_platform_values"):
        values = ed["unlabeled_platform_values"]
        platforms = {p: 0 for p in PLATFORMS} | dict(zip(fills["unlabeled_order"], values, strict=False))
    elif all(v is None for v in platforms.values()):
        platforms = _scaled(ed["social_media_total"], r)
    types = {k: (v or 0) for k, v in types.items()}
    platforms = {k: (v or 0) for k, v in platforms.items()}
    assert sum(types.values()) == ed["activations_total"], ed["id"]
    assert sum(platforms.values()) == ed["social_media_total"], ed["id"]
    assert max(types.values()) <= r and max(platforms.values()) <= r, ed["id"]
    return r, types, platforms


def _scaled(total: int, r: int) -> dict[str, int]:
    """A plausible platform split for a snapshot that printed none (E15, E25)."""
    share = {
        "instagram": 0.58,
        "twitter": 0.15,
        "facebook": 0.11,
        "whatsapp": 0.12,
        "linkedin": 0.027,
        "youtube": 0.0055,
        "tiktok": 0.0075,
    }
    raw = {p: total * share.get(p, 0) for p in PLATFORMS}
    out = {p: int(v) for p, v in raw.items()}
    rest = total - sum(out.values())
    for p in sorted(raw, key=lambda p: raw[p] - out[p], reverse=True)[:rest]:
        out[p] += 1
    assert max(out.values()) <= r
    return out


def _cyclic(counts: dict[str, int], n: int, start: int) -> list[list[str]]:
    got: list[list[str]] = [[] for _ in range(n)]
    pos = start
    for item, c in counts.items():
        for i in range(c):
            got[(pos + i) % n].append(item)
        pos += c
    return got


def _allocate(total: int, weights: dict[str, float], caps: dict[str, int]) -> dict[str, int]:
    """Split ``total`` by weights (largest remainder), no unit above its cap."""
    out = {u: 0 for u in weights}
    left, open_ = total, dict(weights)
    while left > 0:
        w = sum(open_.values())
        share = {u: left * open_[u] / w for u in open_}
        add = {u: min(int(share[u]), caps[u] - out[u]) for u in open_}
        if sum(add.values()) == 0:
            for u in sorted(open_, key=lambda u: share[u], reverse=True):
                if left and out[u] < caps[u]:
                    add[u] = 1
                    left -= 1
                    out[u] += 1
            open_ = {u: open_[u] for u in open_ if out[u] < caps[u]}
            continue
        for u, a in add.items():
            out[u] += a
            left -= a
        open_ = {u: open_[u] for u in open_ if out[u] < caps[u]}
    return out


def nip_for(ue1: str, n: int, rng_seed: int) -> str:
    """An 18-digit NIP: birth date (8), appointment year-month (6), sex (1), serial (3).

    The appointment year-month and serial encode (UE1, n), so two staff never share one."""
    u = list(UE1_HEADCOUNT).index(ue1)
    h = zlib.crc32(f"{rng_seed}:{ue1}:{n}".encode())
    year = 1975 + 4 * u + n // 12000
    birth = dt.date(year - 20 - h % 15, 1, 1) + dt.timedelta(days=(h >> 8) % 365)
    return f"{birth:%Y%m%d}{year}{1 + (n // 1000) % 12:02d}{1 + (h >> 20) % 2}{n % 1000:03d}"


@dataclass
class Row:
    submission_id: str
    edition_id: str
    nip: str
    ue1: str
    unit: str
    activation_type: str
    platform: str
    evidence_url: str
    submitted_at: dt.datetime
    status: str = "valid"


@dataclass
class World:
    editions: list[dict] = field(default_factory=list)  # edition_id, title, publish_date, quarter
    targets: list[dict] = field(default_factory=list)  # quarter, ue1, target_employees
    headcount: list[dict] = field(default_factory=list)  # quarter, ue1, employees
    exports: list[tuple[str, dt.datetime, list[Row]]] = field(default_factory=list)  # file stem, exported at, rows


UNITS = {
    "DJP": ["KPP Pratama", "Kanwil DJP", "Kantor Pusat DJP"],
    "DJBC": ["KPPBC", "Kanwil DJBC", "Kantor Pusat DJBC"],
    "DJPB": ["KPPN", "Kanwil DJPb", "Kantor Pusat DJPb"],
    "DJKN": ["KPKNL", "Kanwil DJKN"],
    "DJPK": [
        "Sekretariat DJPK",
        "Direktorat Dana Transfer Umum",
        "Direktorat Pajak Daerah dan Retribusi Daerah",
        "Direktorat Evaluasi Pengelolaan dan Informasi Keuangan Daerah",
    ],
}


def _unit(ue1: str, k: int) -> str:
    units = UNITS.get(ue1, [f"Sekretariat {ue1}", f"Biro/Direktorat {ue1}"])
    return units[k % len(units)]


def _targets(total: int) -> dict[str, int]:
    return _allocate(total, {u: float(h) for u, h in UE1_HEADCOUNT.items()}, dict(UE1_HEADCOUNT))


def generate(seed: int = 2023) -> World:
    rng = random.Random(seed)
    snap = snapshots()
    world = World()
    # reference data
    for q, total in snap["targets"].items():
        for ue1, t in _targets(total).items():
            world.targets.append({"quarter": q, "ue1": ue1, "target_employees": t})
    for q in ("2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"):
        shift = {"2023-Q2": 14, "2023-Q3": -9, "2023-Q4": 21, "2024-Q1": 0}.get(q, 0)
        for ue1, h in UE1_HEADCOUNT.items():  # staff move between DJP and DJBC; the total stays 78,754
            h = h + shift if ue1 == "DJP" else h - shift if ue1 == "DJBC" else h
            world.headcount.append({"quarter": q, "ue1": ue1, "employees": h})
    weights = {u: h * UE1_ENGAGEMENT.get(u, 1.0) for u, h in UE1_HEADCOUNT.items()}
    caps = {u: int(h * 0.9) for u, h in UE1_HEADCOUNT.items()}

    for ed in snap["editions"]:
        i = ed["index"]
        eid = edition_id(i)
        day = dt.date.fromisoformat(EDITION_DATES[i - 1])
        world.editions.append(
            {
                "edition_id": eid,
                "title": f"Edisi {i}: {TITLES[i - 1]}",
                "publish_date": day.isoformat(),
                "quarter": quarter_of(day),
            }
        )
        r, types, platforms = realised_figures(ed)
        per_ue1 = _allocate(r, weights, caps)
        people: list[tuple[str, str, int]] = []  # (ue1, nip, k)
        for ue1, n in per_ue1.items():
            for k in rng.sample(range(UE1_HEADCOUNT[ue1]), n):
                people.append((ue1, nip_for(ue1, k, seed), k))
        rng.shuffle(people)
        t_of = _cyclic(types, r, 0)
        p_of = _cyclic(platforms, r, rng.randrange(r))
        rows: list[Row] = []
        start = dt.datetime.combine(day, dt.time(8, 0))
        for (ue1, nip, k), ts, ps in zip(people, t_of, p_of, strict=True):
            for j in range(max(len(ts), len(ps))):
                at = start + dt.timedelta(seconds=rng.randrange(0, 6 * 24 * 3600))
                plat = ps[j % len(ps)]
                rows.append(
                    Row(
                        f"{eid}-{len(rows) + 1:06d}",
                        eid,
                        nip,
                        ue1,
                        _unit(ue1, k),
                        ts[j % len(ts)],
                        plat,
                        f"https://{plat}.example/p/{eid.lower()}-{len(rows) + 1}",
                        at,
                    )
                )
        # rows the programme's validation rejected (no evidence, wrong content): never counted
        for _ in range(max(3, r // 150)):
            ue1 = rng.choice(list(UE1_HEADCOUNT))
            k = rng.randrange(UE1_HEADCOUNT[ue1])
            rows.append(
                Row(
                    f"{eid}-{len(rows) + 1:06d}",
                    eid,
                    nip_for(ue1, k, seed + 1),
                    ue1,
                    _unit(ue1, k),
                    rng.choice(TYPES),
                    rng.choice(PLATFORMS),
                    "",
                    start + dt.timedelta(hours=rng.randrange(1, 100)),
                    "rejected",
                )
            )
        # an unknown UE1 code (a typo in the platform's employee master): quarantined
        if i in (4, 13, 22):
            rows.append(
                Row(
                    f"{eid}-{len(rows) + 1:06d}",
                    eid,
                    nip_for("DJP", 1, seed + 2),
                    "DJPX",
                    "KPP Pratama",
                    "like_comment_share",
                    "instagram",
                    f"https://instagram.example/p/{eid.lower()}-x",
                    start + dt.timedelta(hours=5),
                )
            )
        exported = dt.datetime.combine(day + dt.timedelta(days=7), dt.time(16, 30))
        if i == 3:  # the first export missed the late submissions; a late export in December adds them
            cut = int(len(rows) * 0.85)
            world.exports.append((f"partisipasi_{eid}_{exported:%Y%m%d-%H%M}", exported, rows[:cut]))
            late = dt.datetime(2023, 12, 4, 10, 15)
            world.exports.append((f"partisipasi_{eid}_{late:%Y%m%d-%H%M}", late, rows[cut - 50 :]))
        else:
            world.exports.append((f"partisipasi_{eid}_{exported:%Y%m%d-%H%M}", exported, rows))
        if i in (7, 12, 20):  # the same rows again: a re-export a week later
            again = exported + dt.timedelta(days=7)
            world.exports.append((f"partisipasi_{eid}_{again:%Y%m%d-%H%M}", again, rows))

    # an edition of the new year, published before its quarter's targets are set: no target
    day = dt.date(2024, 1, 8)
    eid = edition_id(1, 2024)
    world.editions.append(
        {
            "edition_id": eid,
            "title": "Edisi 1: Selamat Datang TKD 2024",
            "publish_date": day.isoformat(),
            "quarter": quarter_of(day),
        }
    )
    rows = []
    for n in range(240):
        ue1 = rng.choice(["DJPK", "DJPK", "DJP", "DJBC", "SETJEN"])
        k = rng.randrange(UE1_HEADCOUNT[ue1])
        rows.append(
            Row(
                f"{eid}-{n + 1:06d}",
                eid,
                nip_for(ue1, k, seed),
                ue1,
                _unit(ue1, k),
                "like_comment_share",
                rng.choice(["instagram", "twitter"]),
                f"https://instagram.example/p/{eid.lower()}-{n}",
                dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=n * 7),
            )
        )
    world.exports.append((f"partisipasi_{eid}_20240115-1630", dt.datetime(2024, 1, 15, 16, 30), rows))
    return world
