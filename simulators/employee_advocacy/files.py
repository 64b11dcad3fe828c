"""The programme platform's exports as files in a folder, as the secretariat drops them.

``exports/partisipasi_<edition>_<YYYYmmdd-HHMM>.csv``: one row per employee action
(UTF-8 with BOM, ``;``-separated, Indonesian headers, times in WIB as dd/mm/yyyy
HH:MM:SS, labels as employees typed or the form spelled them over the year);
``referensi/edisi.csv``, ``referensi/target_ue1.csv``, ``referensi/jumlah_pegawai_ue1.csv``.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from simulators.employee_advocacy.world import World

PARTICIPATION_HEADER = [
    "ID Submisi",
    "Kode Edisi",
    "NIP",
    "Kode UE1",
    "Unit Kerja",
    "Jenis Aktivasi",
    "Platform",
    "Tautan Bukti",
    "Waktu Submit",
    "Status Validasi",
]
TYPE_LABELS = {
    "konten_tersedia": ["Konten Tersedia", "Konten tersedia"],
    "like_comment_share": ["Like/Comment/Share", "Like / Comment / Share", "like/comment/share"],
    "kreasi_konten_mandiri": ["Kreasi Konten Mandiri", "Kreasi konten mandiri"],
}
PLATFORM_LABELS = {
    "instagram": ["Instagram"],
    "facebook": ["Facebook"],
    "twitter": ["Twitter", "Twitter/X", "X"],
    "whatsapp": ["WhatsApp", "Whatsapp"],
    "linkedin": ["LinkedIn", "Linkedin"],
    "tiktok": ["TikTok", "Tiktok"],
    "youtube": ["YouTube", "Youtube"],
}


def _nip(nip: str, rng: random.Random) -> str:
    if rng.random() < 0.2:  # as printed on the ID card: 19850312 201001 1 003
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    return nip


def write_files(world: World, folder: Path, seed: int = 2023) -> list[Path]:
    rng = random.Random(seed)
    written = []
    (folder / "exports").mkdir(parents=True, exist_ok=True)
    (folder / "referensi").mkdir(parents=True, exist_ok=True)
    for stem, _, rows in world.exports:
        path = folder / "exports" / f"{stem}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, delimiter=";")
            w.writerow(PARTICIPATION_HEADER)
            for r in rows:
                w.writerow(
                    [
                        r.submission_id,
                        r.edition_id,
                        _nip(r.nip, rng),
                        r.ue1,
                        r.unit,
                        rng.choice(TYPE_LABELS[r.activation_type]),
                        rng.choice(PLATFORM_LABELS[r.platform]),
                        r.evidence_url,
                        f"{r.submitted_at:%d/%m/%Y %H:%M:%S}",
                        "Valid" if r.status == "valid" else "Ditolak",
                    ]
                )
        written.append(path)
    refs = {
        "edisi.csv": (
            ["Kode Edisi", "Judul", "Tanggal Terbit", "Triwulan"],
            [[e["edition_id"], e["title"], e["publish_date"], e["quarter"]] for e in world.editions],
        ),
        "target_ue1.csv": (
            ["Triwulan", "Kode UE1", "Target Pegawai"],
            [[t["quarter"], t["ue1"], t["target_employees"]] for t in world.targets],
        ),
        "jumlah_pegawai_ue1.csv": (
            ["Triwulan", "Kode UE1", "Jumlah Pegawai"],
            [[h["quarter"], h["ue1"], h["employees"]] for h in world.headcount],
        ),
    }
    for name, (header, rows) in refs.items():
        path = folder / "referensi" / name
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, delimiter=";")
            w.writerow(header)
            w.writerows(rows)
        written.append(path)
    return written
