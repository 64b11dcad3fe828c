"""Staff registers part of the simulated world: what the staff wrote down, month by month.

Six registers (video conferences, face-to-face consultations, webinars/FGD/
workshops/sosialisasi, PPID data requests, complaints, and the accounts of
village governments following @ditjenpk on Instagram). This module decides the
*content* (rows and the mistakes staff make); simulators/registers/workbooks.py
lays it out as the workbooks staff keep (title rows, merged cells, totals ...).

Deterministic by seed: every draw comes from ``random.Random(f"{seed}/registers/...")``;
no clock, no global ``random``. Default months: Dec 2022 .. Dec 2023; the
followers register is cumulative, so it starts with the account campaign in
January 2021.

Calibration (figures from the published "Laporan Layanan Informasi DJPK
Desember 2023", kept here, not in calibration.py):

=============================  =======  ========  =======  ========
register                       2022-12  2023-11   2023-12  2023 ytd
=============================  =======  ========  =======  ========
video conferences              drawn    drawn     5 rows   89
face-to-face consultations     drawn    drawn     30 rows  224
webinars/FGD                   5        10        4 rows   83
PPID data requests             16       21        17       162
complaints                     drawn    published lists, one row per listed item
village accounts following     1872 in total by the end of Dec 2023, 2 new in Dec
=============================  =======  ========  =======  ========

December 2023 rows are exactly the published ones. Rows that staff got wrong
(``Row.bad`` set) are extra: the pipeline must reject them, so they never count.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from simulators.scenario import world
from simulators.scenario.world import REGIONS, Population, iter_months, month_days

SOURCE = "registers"
FOLLOWERS_START = "2021-01-01"  # the village-account campaign began here; the register is cumulative

KINDS = (
    "video_conferences",
    "face_to_face_consultations",
    "webinars",
    "ppid_requests",
    "complaints",
    "instagram_village_followers",
)

# ----------------------------------------------------------------- calibration

# Fixed monthly counts of valid rows.
FIXED: dict[str, dict[str, int]] = {
    "video_conferences": {"2023-12": 5},
    "face_to_face_consultations": {"2023-12": 30},
    "webinars": {"2022-12": 5, "2023-11": 10, "2023-12": 4},
    "ppid_requests": {"2022-12": 16, "2023-11": 21, "2023-12": 17},
    "instagram_village_followers": {"2023-12": 2},
}
# Calendar-year totals the remaining months of the year are split to reach.
YEAR_TOTALS: dict[str, dict[int, int]] = {
    "video_conferences": {2023: 89},
    "face_to_face_consultations": {2023: 224},
    "webinars": {2023: 83},
    "ppid_requests": {2023: 162},
}
# Accounts noticed from FOLLOWERS_START through the end of December 2023.
FOLLOWERS_TOTAL_END_2023 = 1872
# Ranges for months with neither a fixed figure nor a year total.
RANGES: dict[str, tuple[int, int]] = {
    "video_conferences": (1, 6),  # before letter S-38/PK/2023 (17 March 2023) video conferences were rare
    "face_to_face_consultations": (18, 32),
    "webinars": (3, 10),
    "ppid_requests": (8, 20),
    "instagram_village_followers": (2, 12),
}


# Relative weight of a month when a year total is split (by register, month number).
def _weight(kind: str, month: str) -> float:
    m = int(month[5:7])
    if kind == "video_conferences":
        return 0.35 if m <= 3 else 1.2  # S-38/PK/2023 moved consultations to video conference from April
    if kind == "face_to_face_consultations":
        return 1.5 if m <= 3 else 0.9
    if kind == "instagram_village_followers":
        return {"2021": 3.0, "2022": 1.1, "2023": 0.3}.get(month[:4], 0.3)
    return 1.0


# The December 2023 rows as published (report-2023-12 `registers:`).
DEC_2023_VIDEO_CONFERENCES: list[tuple[str, str, str]] = [
    ("2023-12-04", "BPK Prov. Kalimantan Barat", "Pembiayaan"),
    ("2023-12-05", "Prov. Maluku", "JFAKPD"),
    ("2023-12-12", "Prov. Riau", "DBH"),
    ("2023-12-11", "Kab. Nias Selatan", "DBH"),
    ("2023-12-19", "Kota Mojokerto", "PDRD"),
]
DEC_2023_FACE_TO_FACE: list[tuple[str, str, str, int]] = [
    ("2023-12-04", "Prov. Papua (DPRD)", "Otsus", 5),
    ("2023-12-05", "Kab. Rokan Hulu", "PDRD", 3),
    ("2023-12-06", "Kab. Mojokerto", "IF", 5),
    ("2023-12-07", "Kab. Sleman", "DAU, PIKD", 2),
    ("2023-12-07", "Kab. Maluku Tenggara", "PDRD", 3),
    ("2023-12-07", "Kab. Timor Tengah Selatan", "DAU", 4),
    ("2023-12-11", "Kab. Kendal", "Hibah", 4),
    ("2023-12-11", "Kab. Gresik", "Hibah", 4),
    ("2023-12-12", "Kab. Jember", "Hibah", 2),
    ("2023-12-12", "Kab. Mappi", "Otsus", 2),
    ("2023-12-13", "Kab. Humbang Hasundutan", "Hibah", 2),
    ("2023-12-13", "Kab. Tomohon", "DAK", 3),
    ("2023-12-13", "Kota Batam", "PDRD", 2),
    ("2023-12-13", "Kota Pangkal Pinang", "JF AKPD", 1),
    ("2023-12-14", "Prov. Papua Selatan", "Otsus", 5),
    ("2023-12-14", "Kab. Toli Toli", "DBH", 2),
    ("2023-12-14", "Kab. Kepulauan Sangihe (Bupati)", "DAU", 7),
    ("2023-12-15", "Prov. Kalimantan Barat", "PDRD", 1),
    ("2023-12-15", "Prov. Sulawesi Utara", "PDRD", 2),
    ("2023-12-19", "Kab. OKU Timur", "PDRD", 4),
    ("2023-12-19", "Kab. Alor", "PDRD", 1),
    ("2023-12-20", "Kab. Sumba Timur", "PDRD", 3),
    ("2023-12-20", "Kab. Hulu Sungai Tengah", "SHSR", 4),
    ("2023-12-20", "Kab. Ende", "PDRD", 3),
    ("2023-12-21", "Kab. Banyumas", "JF AKPD", 4),
    ("2023-12-21", "Prov. Maluku Tengah", "DBH DAU", 2),
    ("2023-12-22", "Kab. Karanganyar (DPRD)", "SHSR", 4),
    ("2023-12-27", "Kab. Kupang", "DAU", 4),
    ("2023-12-27", "Kota Denpasar", "PDRD", 3),
    ("2023-12-28", "Kab. Banggai Kepulauan", "DAU", 3),
]
DEC_2023_WEBINARS: list[tuple[str, str]] = [
    ("2023-12-20", "Soft Launching SIKD"),
    ("2023-12-20", "Workshop Inovasi"),
    ("2023-12-21", "Rakertas DJPK"),
    ("2023-12-28", "Sosialisasi Wanita Peka Kanker (DWP)"),
]

# The complaints of 2023 as the report lists them (kind, month, description): one row per item.
COMPLAINTS_2023: list[tuple[str, int, str]] = [
    (
        "Pengaduan",
        1,
        "Surat undangan palsu terkait Kegiatan Bimtek/Capacity Building JF AKPD yang mengatasnamakan DJPK, kegiatan dilaksanakan secara offline dan memungut biaya (diterima oleh 17 pemda dan 3 universitas)",
    ),
    (
        "Pengaduan",
        1,
        "Dokumen Monitoring SP2D dan SPM palsu (Kab. Labuhanbatu Selatan, Kab. Situbondo dan Kanwil DJPB Prov. Gorontalo)",
    ),
    ("Pengaduan", 1, "DIPA palsu (Kab. Temanggung dan Kab. Bombana)"),
    ("Pengaduan", 1, "Informasi palsu atas kurang salur DAU (Kab. Pesisir Selatan dan Kab. Aceh Tamiang)"),
    ("Pengaduan", 1, "Undangan palsu kegiatan Dekonsentrasi dan Tugas Pembantuan (Kab. Banjarnegara)"),
    ("Pengaduan", 1, "Informasi palsu perihal Dana Bantuan Presiden (Kab. Banyuwangi)"),
    (
        "Pengaduan",
        2,
        "Surat undangan palsu terkait Kegiatan Bimtek/Capacity Building JF AKPD yang mengatasnamakan DJPK, kegiatan dilaksanakan secara offline dan memungut biaya (diterima oleh 25 pemda dan 2 universitas)",
    ),
    (
        "Pengaduan",
        2,
        "Pengaduan dari Masyarakat terkait dugaan penggunaan DAK Fisik dan DAK Non Fisik yang tidak sesuai dengan peruntukannya (Kota Bandar Lampung)",
    ),
    (
        "Pengaduan",
        2,
        "Pengaduan dari Masyarakat terkait dugaan pelanggaran ketentuan pajak daerah dan retribusi daerah sesuai UU Nomor 28 Tahun 2009 (Kab. Musi Banyuasin)",
    ),
    ("Pengaduan", 3, "Surat Palsu kegiatan Capacity Building JFAKPD"),
    (
        "Pengaduan",
        4,
        "Surat undangan palsu terkait Kegiatan Bimtek/Capacity Building JF AKPD yang mengatasnamakan DJPK, kegiatan dilaksanakan secara offline dan memungut biaya (diterima Kab. Karawang dan Prov. DKI Jakarta (RSUD Cengkareng))",
    ),
    ("Pengaduan", 5, "BPKAD Kab. Minahasa Selatan menerima surat palsu kegiatan Capacity Building JFAKPD"),
    ("Pengaduan", 5, "Pemdes Prov. Jawa Barat menerima informasi palsu adanya dana bantuan presiden untuk desa"),
    ("Pengaduan", 5, "BNPB menerima surat palsu kegiatan Capacity Building JFAKPD"),
    ("Pengaduan", 5, "Pemda Prov. Kalimantan Selatan menerima surat palsu kegiatan Capacity Building JFAKPD"),
    ("Pengaduan", 6, "Informasi bahwa surat nomor S-188/PK/2023 terkait Bantuan Presiden untuk Desa palsu"),
    (
        "Pengaduan",
        6,
        "Pengaduan masyarakat terkait pelaksanaan proyek DAK Pembangunan Jembatan Wae Maras di Kabupaten Manggarai Provinsi NTT karena 1 Kontraktor Pelaksana melakukan penggusuran tanah untuk jalan alternatif proyek jembatan tanpa ijin pengelola lahan menyebabkan tanah dan tanaman warga rusak.",
    ),
    (
        "Pengaduan",
        7,
        "Undangan palsu kegiatan Capacity Building Start Your Writing dan JF AKPD yang mengatasnamakan DJPK (diterima oleh Kab. Lampung Tengah, Kota Mataram, Kab. Deiyai, Kab. Kudus)",
    ),
    (
        "Pengaduan",
        7,
        "Adanya pengaduan dari Masyarakat terkait penyalahgunaan penggunaan mobil operasional yang didanai dari DBH CHT untuk penggunaan operasional kantor.",
    ),
    (
        "Pengaduan",
        8,
        "Surat undangan palsu terkait Kegiatan Bimtek/Capacity Building JF AKPD (Kab. Langkat, Kab. Padang Lawas, Kab. Buol, Kab. Nias Barat, Kab. Blitar, Kab. Sigi, Kota Pasuruan)",
    ),
    ("Pengaduan", 8, "Surat palsu mengenai permintaan usulan alokasi DBH (Kab. Belu, Kab. Subang)"),
    ("Pengaduan", 8, "Informasi palsu mengenai besara penyaluran DBH (Kab. Rembang)"),
    ("Pengaduan", 9, "Dugaan penyalahgunaan Dana Desa (Masyarakat dari Kab. Pandeglang)"),
    ("Pengaduan", 9, "Dugaan ketidaksesuaian realisasi DAU kelurahan (Masyarakat dari Kota Bandar Lampung)"),
    ("Pengaduan", 10, "Konfirmasi surat palsu pelaksanaan Capacity Building"),
    (
        "Pengaduan",
        10,
        "Konfirmasi surat edaran mengenai oknum-oknum yang mengatasnamakan DJPK mengenai tambahan dana transfer",
    ),
    ("Pengaduan", 10, "Dugaan atas laporan penyalahgunaan DAU yang ditentukan penggunaannya oleh Kota Bandar Lampung"),
    ("Pengaduan", 10, "Pengaduan atas adanya oknum yang sering menyebarkan data APBD Kab. Waropen ke sosial media"),
    ("Pengaduan", 10, "Konfirmasi surat palsu pelaksanaan Capacity Building"),
    ("Pengaduan", 11, "Konfirmasi Surat Palsu Undangan Simposium Nasional/Bimtek (Kab. Limapuluh Kota, Kota Dumai,"),
    ("Pengaduan", 11, "Konfirmasi Dokumen Penyaluran Palsu (Kab. Cianjur)"),
    (
        "Pengaduan",
        12,
        "Oknum yang mengaku dapat menjadi perantara untuk memperoleh alokasi tambahan DBH dan DAU Kab. Gunung Kidul;",
    ),
    (
        "Pengaduan",
        12,
        "Surat palsu undangan Simposium Nasional/Bimtek terkait UU HKPD (Kab. Tanah Laut dan Kab. Konawe Utara);",
    ),
    ("Pengaduan", 12, "Dugaan penyalahgunaan Tambahan Dana Desa di Kota Jayapura."),
    ("Keluhan Layanan", 3, "Kab. Seluma mengeluhkan PIC Interkoneksi SIKD kurang responsif"),
    ("Keluhan Layanan", 3, "Kota Pangkalpinang mengeluhkan LKT yang tidak dapat ditampilkan dalam Aplikasi SIMTRADA"),
    ("Keluhan Layanan", 5, "Kab. Wonogiri mengeluhkan terlambatnya update data SIMTRADA atas penyaluran Dana Desa"),
    (
        "Keluhan Layanan",
        6,
        "Keluhan atas terlambatnya informasi dari PIC DAK NF terkait verifikasi laporan BOK Tahap II pada aplikasi Aladin",
    ),
    ("Keluhan Layanan", 8, "SIMTRADA tidak update"),
    (
        "Keluhan Layanan",
        9,
        "Informasi penyaluran DAK Fisik dalam SIMTRADA yang mengalami duplikasi (Kab. Gunung Mas, Kab. Lampung Barat, Kab. Langkat, Kab. Lingga, Kota Tebing Tinggi, Kab. Konawe Selatan)",
    ),
    (
        "Keluhan Layanan",
        10,
        "Keterlambatan informasi salur pada aplikasi SIMTRADA (Kota Magelang, Kota Bontang, Kab. Lampung Barat)",
    ),
    (
        "Keluhan Layanan",
        11,
        "Keterlambatan informasi salur pada aplikasi SIMTRADA (Kab. Kediri, Kab. Lampung Utara, Kota Kediri, Kota Kendari, Kab. Kotawaringin Barat, Kab. Seram Bagian Barat, Prov. Sumatera Utara, Kab. Minahasa, Kab. Barito Utara, Kab. Mamberamo Raya, Kab. Demak, Kab. Pasaman)",
    ),
    (
        "Keluhan Layanan",
        12,
        "Keterlambatan informasi penyaluran TKD pada aplikasi SIMTRAD4 (Kab. Sumenep, Kab. Lingga, Prov. Jambi, Kota Bandung, Kab. Paser, Prov. Papua Barat, Kab. Bangka Selatan, Kota Solok, Prov. Kalimantan Barat, Kab. Konawe, Prov. Kalimantan Utara, dan Kab. Purwakarta.",
    ),
    ("Keluhan Kebijakan", 1, "Kebijakan pengalokasian ADD TA 2023 yang memperhitungkan DAU earmarked (Kab. Mempawah)"),
    (
        "Keluhan Kebijakan",
        2,
        "Tidak ada definisi yang dinyatakan secara jelas dalam Perpres Nomor 33 Tahun 2020 tentang SHSR mengenai perjalanan dinas dalam kota dan luar kota sementara besaran uang harian yang diatur per regional (provinsi) sehingga menimbulkan multitafsir (Kab. Kepulauan Mentawai)",
    ),
    (
        "Keluhan Kebijakan",
        5,
        "Kab. Lanny Jaya memberi saran agar KMK Penyaluran TDF memuat rincian jenis dana DBH yang disalurkan untuk memudahkan Pemda dalam pencatatan.",
    ),
    (
        "Keluhan Kebijakan",
        5,
        "Kab. Sorong mengeluhkan atas kebijakan adanya DAU SG yang ditetapkan setelah penetapan APBD membuat Pemda terhambat dalam melaksanakan kegiatan yang telah disusun sebelumnya",
    ),
    (
        "Keluhan Kebijakan",
        9,
        "Pemda menyampaikan via telepon, keluhan terkait dengan kebijakan penganggaran ADD yang masih belum ada perubahan, masih mengacu pada PMK 41 dimana dialokasikan 10% dari DTU, padahal ada DAU yang Ditentukan Penggunaannya (Kab. Pasuruan)",
    ),
]

# ------------------------------------------------------------------ vocabulary

TOPICS = [
    "DAU",
    "DBH",
    "DAK",
    "PDRD",
    "JF AKPD",
    "SHSR",
    "Otsus",
    "Hibah",
    "IF",
    "Pembiayaan",
    "PIKD",
    "Transfer",
    "DID",
    "DAU, PIKD",
    "DBH DAU",
    "Dana Desa",
]
_TOPIC_WEIGHTS = [14, 12, 8, 16, 9, 5, 3, 4, 3, 3, 2, 4, 2, 1, 1, 3]
EXTRA_REGIONS = [
    ("kab", "Kepulauan Sangihe"),
    ("kab", "Nias Selatan"),
    ("kota", "Mojokerto"),
    ("kab", "Rokan Hulu"),
    ("kab", "Maluku Tenggara"),
    ("kab", "Kendal"),
    ("kab", "Gresik"),
    ("kab", "Jember"),
    ("kab", "Mappi"),
    ("kab", "Toli Toli"),
    ("kota", "Batam"),
    ("prov", "Papua Selatan"),
    ("kab", "Alor"),
    ("kab", "Ende"),
    ("kab", "Sumba Timur"),
    ("kab", "Karanganyar"),
    ("kab", "Kupang"),
    ("kab", "Banggai Kepulauan"),
    ("kab", "OKU Timur"),
    ("kab", "Hulu Sungai Tengah"),
    ("kota", "Pangkal Pinang"),
    ("prov", "Maluku Utara"),
]
_ALL_REGIONS = [(k, n) for k, n, _ in REGIONS] + EXTRA_REGIONS
VILLAGE_PREFIXES = [
    "Sumber",
    "Suka",
    "Mekar",
    "Karang",
    "Tanjung",
    "Sido",
    "Banjar",
    "Wono",
    "Kali",
    "Rejo",
    "Mulya",
    "Jaya",
    "Sari",
    "Tirta",
    "Bukit",
    "Lubuk",
    "Pulau",
    "Talang",
    "Teluk",
    "Batu",
    "Cipta",
    "Giri",
    "Harapan",
    "Sinar",
    "Bumi",
    "Pasir",
    "Air",
    "Kampung",
]
VILLAGE_SUFFIXES = [
    "jaya",
    "makmur",
    "rejo",
    "mulyo",
    "sari",
    "asih",
    "harjo",
    "agung",
    "baru",
    "indah",
    "wangi",
    "tengah",
    "lestari",
    "maju",
    "mukti",
    "raya",
    "damai",
]
PPID_DATA = [
    "Data realisasi APBD {region} TA {y1}",
    "Rincian alokasi DAU {region} TA {y}",
    "Data penyaluran DBH {region} TA {y}",
    "Data PAD kabupaten/kota se-Indonesia TA {y2}-{y1}",
    "Rincian Dana Desa per desa {region} TA {y}",
    "Data pajak daerah dan retribusi daerah TA {y1}",
    "Data belanja pegawai pemda se-provinsi {prov} TA {y1}",
    "Data TKD per daerah TA {y}",
    "Data DAK Fisik per bidang {region} TA {y1}",
    "Data posisi SILPA pemda TA {y1}",
]
PPID_STATUS = [("Selesai", 80), ("Ditolak", 4), ("Dialihkan ke PPID Kemenkeu", 8), ("Informasi tidak dikuasai", 8)]
WEBINAR_TITLES = [
    ("Webinar", "Webinar Pengelolaan {topic} TA {y}"),
    ("FGD", "FGD Penyusunan Kebijakan {topic}"),
    ("Workshop", "Workshop Peningkatan Kapasitas JF AKPD"),
    ("Sosialisasi", "Sosialisasi PMK Nomor {n} Tahun {y}"),
    ("Webinar", "Webinar Series HKPD #{k}"),
    ("FGD", "FGD Evaluasi {topic} di {region}"),
    ("Sosialisasi", "Sosialisasi Aplikasi SIKD"),
    ("Workshop", "Workshop Penyusunan APBD TA {y1n}"),
    ("Webinar", "Webinar Sinergi Pendanaan Daerah"),
    ("Sosialisasi", "Sosialisasi Interkoneksi Data Transaksi Pemda"),
]
COMPLAINT_TEMPLATES = [
    (
        "Pengaduan",
        "Surat undangan palsu kegiatan Bimtek/Capacity Building JF AKPD yang mengatasnamakan DJPK ({region})",
    ),
    ("Pengaduan", "Informasi palsu mengenai tambahan alokasi {topic} ({region})"),
    ("Keluhan Layanan", "{region} mengeluhkan data SIMTRADA belum update"),
    ("Keluhan Kebijakan", "Keluhan atas kebijakan penggunaan {topic} TA {y} ({region})"),
]


# ------------------------------------------------------------------- the rows


@dataclass
class Row:
    """One row a staff member wrote. ``values`` hold what was meant (dates as ``date``);
    ``bad`` says how it went wrong when it did (the pipeline must reject it)."""

    values: dict[str, Any]
    bad: str | None = None  # bad_date | outside_month | missing_field | negative_guests | unknown_kind | below_total
    renoted: bool = False  # a follower account noted again (not a new account)


@dataclass
class RegistersWorld:
    seed: int
    months: dict[str, list[str]]  # kind -> months "YYYY-MM" generated
    rows: dict[str, dict[str, list[Row]]] = field(default_factory=dict)  # kind -> month -> rows, in sheet order

    def valid_counts(self, kind: str) -> dict[str, int]:
        """Rows the pipeline must count per month (followers: new accounts)."""
        return {m: sum(1 for r in rows if r.bad is None and not r.renoted) for m, rows in self.rows[kind].items()}

    def complaint_counts(self) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for m, rows in self.rows["complaints"].items():
            for r in rows:
                if r.bad is None:
                    out[(r.values["kind"], m)] = out.get((r.values["kind"], m), 0) + 1
        return out


def _split(rng: random.Random, total: int, months: list[str], weights: list[float]) -> dict[str, int]:
    """``total`` over ``months`` in proportion to jittered weights, at least 1 each."""
    if not months:
        return {}
    jittered = [w * rng.uniform(0.7, 1.3) for w in weights]
    rest = total - len(months)
    shares = [rest * w / sum(jittered) for w in jittered]
    counts = [1 + int(s) for s in shares]
    by_fraction = sorted(range(len(months)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in by_fraction[: total - sum(counts)]:
        counts[i] += 1
    return dict(zip(months, counts, strict=False))


def monthly_counts(seed: int, kind: str) -> dict[str, int]:
    """Valid rows per month over the calibrated range (followers: new accounts per month)."""
    rng = random.Random(f"{seed}/registers/{kind}/counts")
    if kind == "complaints":
        raise ValueError("complaints are listed item by item, not counted")
    followers = kind == "instagram_village_followers"
    months = list(iter_months(FOLLOWERS_START if followers else world.DEFAULT_START, world.DEFAULT_END))
    out = dict(FIXED.get(kind, {}))
    if followers:
        free = [m for m in months if m not in out]
        out.update(_split(rng, FOLLOWERS_TOTAL_END_2023 - sum(out.values()), free, [_weight(kind, m) for m in free]))
        return out
    for year, total in YEAR_TOTALS.get(kind, {}).items():
        free = [m for m in months if m.startswith(str(year)) and m not in out]
        fixed = sum(v for m, v in out.items() if m.startswith(str(year)))
        out.update(_split(rng, total - fixed, free, [_weight(kind, m) for m in free]))
    for m in months:
        if m not in out:
            out[m] = random.Random(f"{seed}/registers/{kind}/{m}/count").randint(*RANGES[kind])
    return out


def _count(seed: int, kind: str, month: str, calibrated: dict[str, int]) -> int:
    if month in calibrated:
        return calibrated[month]
    return random.Random(f"{seed}/registers/{kind}/{month}/count").randint(*RANGES[kind])


def typed_region(rng: random.Random) -> str:
    kind, name = rng.choice(_ALL_REGIONS)
    options = {
        "kab": [
            (f"Kab. {name}", 10),
            (f"Kabupaten {name}", 2),
            (f"Pemkab {name}", 1),
            (f"Kab. {name} (DPRD)", 1),
            (f"Kab. {name} (Bupati)", 1),
            (f"BPKAD Kab. {name}", 1),
            (f"Kab {name}", 1),
        ],
        "kota": [(f"Kota {name}", 10), (f"Pemkot {name}", 1), (f"Kota {name} (DPRD)", 1), (f"BPKAD Kota {name}", 1)],
        "prov": [
            (f"Prov. {name}", 10),
            (f"Provinsi {name}", 2),
            (f"Pemprov {name}", 1),
            (f"Prov. {name} (DPRD)", 1),
            (f"Bappeda Prov. {name}", 1),
        ],
    }[kind]
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _dates(rng: random.Random, month: str, n: int) -> list[date]:
    days = [d for d in month_days(month) if d.weekday() < 5]
    return sorted(rng.choice(days) for _ in range(n))


def _vc(rng, d, month, i, seed):
    return {"date": d, "region": typed_region(rng), "topic": rng.choices(TOPICS, _TOPIC_WEIGHTS)[0]}


def _f2f(rng, d, month, i, seed):
    return {
        **_vc(rng, d, month, i, seed),
        "guests": rng.choices([1, 2, 3, 4, 5, 6, 7, 8], [8, 24, 25, 22, 11, 5, 3, 2])[0],
    }


def _webinar(rng, d, month, i, seed):
    kind, title = rng.choice(WEBINAR_TITLES)
    y = int(month[:4])
    title = title.format(
        topic=rng.choices(TOPICS[:10], _TOPIC_WEIGHTS[:10])[0],
        y=y,
        y1n=y + 1,
        n=rng.randint(100, 230),
        k=rng.randint(1, 12),
        region=typed_region(rng),
    )
    return {"date": d, "title": title, "kind": kind}


def _ppid(rng, d, month, i, seed):
    citizen = Population(seed).citizen(rng.randrange(6000))
    y = int(month[:4])
    region = typed_region(rng)
    data = rng.choice(PPID_DATA).format(region=region, y=y, y1=y - 1, y2=y - 2, prov=rng.choice(REGIONS)[2])
    status = rng.choices([s for s, _ in PPID_STATUS], [w for _, w in PPID_STATUS])[0]
    if month >= "2023-11" and rng.random() < 0.4:
        status = "Diproses"
    return {
        "date": d,
        "requester": citizen.name,
        "institution": citizen.institution or None,
        "data_requested": data,
        "status": status,
    }


_BUILDERS = {"video_conferences": _vc, "face_to_face_consultations": _f2f, "webinars": _webinar, "ppid_requests": _ppid}


def _webinar_kind(title: str) -> str | None:
    first = title.split()[0]
    return first if first in {"Webinar", "FGD", "Workshop", "Sosialisasi"} else None


def _published(kind: str) -> list[dict[str, Any]]:
    if kind == "video_conferences":
        return [{"date": date.fromisoformat(d), "region": r, "topic": t} for d, r, t in DEC_2023_VIDEO_CONFERENCES]
    if kind == "face_to_face_consultations":
        return [
            {"date": date.fromisoformat(d), "region": r, "topic": t, "guests": g}
            for d, r, t, g in DEC_2023_FACE_TO_FACE
        ]
    if kind == "webinars":
        return [{"date": date.fromisoformat(d), "title": t, "kind": _webinar_kind(t)} for d, t in DEC_2023_WEBINARS]
    return []


_REQUIRED = {
    "video_conferences": ["region", "topic"],
    "face_to_face_consultations": ["region", "topic"],
    "webinars": ["title"],
    "ppid_requests": ["requester", "data_requested"],
    "complaints": ["description"],
    "instagram_village_followers": ["village"],
}


def _bad_row(rng: random.Random, kind: str, month: str, template: dict[str, Any]) -> Row:
    """A row staff got wrong, built from a valid one."""
    values = dict(template)
    options = ["bad_date", "outside_month", "missing_field"]
    if kind == "face_to_face_consultations":
        options += ["negative_guests", "negative_guests"]
    if kind == "complaints":
        options = ["unknown_kind", "missing_field", "outside_month"]
    bad = rng.choice(options)
    y, m = int(month[:4]), int(month[5:7])
    if bad == "bad_date":  # a day the month does not have, e.g. "31 Nopember 2023"
        values["date"] = f"{len(month_days(month)) + 1} {world.BULAN[m - 1]} {y}"
    elif bad == "outside_month":  # last month's row typed into this month's sheet
        values["date"] = date(y, m, 1) - timedelta(days=rng.randint(1, 5))
    elif bad == "missing_field":
        values[rng.choice(_REQUIRED[kind])] = None
    elif bad == "negative_guests":
        values["guests"] = -rng.randint(1, 3)
    elif bad == "unknown_kind":
        values["kind"] = "Saran"
    return Row(values, bad)


def _complaints(seed: int, month: str) -> list[Row]:
    rng = random.Random(f"{seed}/registers/complaints/{month}/rows")
    y, m = int(month[:4]), int(month[5:7])
    if y == 2023:
        items = [(k, d) for k, mm, d in COMPLAINTS_2023 if mm == m]
    else:
        items = []
        for _ in range(rng.randint(1, 4)):
            k, text = rng.choices(COMPLAINT_TEMPLATES, [5, 3, 2, 1])[0]
            items.append((k, text.format(region=typed_region(rng), topic=rng.choice(TOPICS[:4]), y=y)))
    days = sorted(rng.choice(month_days(month)) for _ in items)
    return [
        Row({"date": d if rng.random() < 0.5 else None, "kind": k, "description": text})
        for d, (k, text) in zip(days, items, strict=False)
    ]


def _village_accounts(seed: int) -> list[tuple[str, str]]:
    """Distinct (account, village) pairs, in the order they were noticed."""
    rng = random.Random(f"{seed}/registers/instagram_village_followers/accounts")
    seen: set[str] = set()
    out = []
    kabs = [n for k, n in _ALL_REGIONS if k == "kab"]
    while len(out) < FOLLOWERS_TOTAL_END_2023 + 400:
        village = rng.choice(VILLAGE_PREFIXES) + rng.choice(VILLAGE_SUFFIXES)
        kab = rng.choice(kabs)
        slug, kslug = village.lower(), kab.lower().replace(" ", "")
        handle = rng.choice(
            [
                f"pemdes{slug}",
                f"desa{slug}",
                f"pemdes_{slug}_{kslug}",
                f"desa.{slug}.{kslug}",
                f"pemerintahdesa{slug}",
                f"desa_{slug}",
            ]
        )[:30]
        if handle in seen:
            continue
        seen.add(handle)
        out.append((handle, f"Desa {village} (Kab. {kab})"))
    return out


def _followers(seed: int, months: list[str], counts: dict[str, int]) -> dict[str, list[Row]]:
    accounts = iter(_village_accounts(seed))
    noted: list[tuple[str, str]] = []
    out: dict[str, list[Row]] = {}
    for month in months:
        rng = random.Random(f"{seed}/registers/instagram_village_followers/{month}/rows")
        days = sorted(
            rng.choice(month_days(month)) for _ in range(_count(seed, "instagram_village_followers", month, counts))
        )
        rows = []
        for d in days:
            account, village = next(accounts)
            noted.append((account, village))
            rows.append(Row({"date": d, "account": account, "village": village}))
        if month == "2023-06":  # staff noticed an account again: a row, not a new account
            account, village = noted[len(noted) // 3]
            rows.append(Row({"date": date(2023, 6, 20), "account": "@" + account, "village": village}, renoted=True))
        out[month] = rows
    return out


def generate(
    seed: int = world.DEFAULT_SEED, start: str = world.DEFAULT_START, end: str = world.DEFAULT_END
) -> RegistersWorld:
    """Every register's rows for the months of [start, end) (followers from FOLLOWERS_START)."""
    months = list(iter_months(start, end))
    follower_months = list(iter_months(min(FOLLOWERS_START, start), end))
    world = RegistersWorld(
        seed, {k: (follower_months if k == "instagram_village_followers" else months) for k in KINDS}
    )
    for kind, build in _BUILDERS.items():
        counts = monthly_counts(seed, kind)
        world.rows[kind] = {}
        for month in months:
            rng = random.Random(f"{seed}/registers/{kind}/{month}/rows")
            if month == "2023-12" and _published(kind):
                rows = [Row(v) for v in _published(kind)]
            else:
                rows = [
                    Row(build(rng, d, month, i, seed))
                    for i, d in enumerate(_dates(rng, month, _count(seed, kind, month, counts)))
                ]
            world.rows[kind][month] = rows
    world.rows["complaints"] = {m: _complaints(seed, m) for m in months}
    world.rows["instagram_village_followers"] = _followers(
        seed, follower_months, monthly_counts(seed, "instagram_village_followers")
    )
    _add_mess(world)
    return world


def _add_mess(world: RegistersWorld) -> None:
    """Rows staff got wrong: about one sheet in four has one. None in December 2023 but
    a half-filled face-to-face row (a visit typed in and abandoned)."""
    for kind, by_month in world.rows.items():
        for month, rows in by_month.items():
            rng = random.Random(f"{world.seed}/registers/{kind}/{month}/mess")
            if month == "2023-12":
                if kind == "face_to_face_consultations":
                    rows.insert(
                        17,
                        Row({"date": date(2023, 12, 14), "region": None, "topic": None, "guests": 2}, "missing_field"),
                    )
                continue
            if kind == "face_to_face_consultations" and month == "2023-08":  # typed under the total row
                rows.append(Row(dict(rows[0].values), "below_total"))
            if not rows or rng.random() > 0.28:
                continue
            template = rng.choice([r for r in rows if r.bad is None])
            rows.insert(rng.randrange(len(rows) + 1), _bad_row(rng, kind, month, template.values))


def expected_counts(
    seed: int = world.DEFAULT_SEED, start: str = world.DEFAULT_START, end: str = world.DEFAULT_END
) -> dict[str, dict[str, int]]:
    """What the pipeline must count: register kind -> month -> valid rows (complaints per kind;
    followers: new accounts, and ``instagram_village_followers_total``: accounts by the month's end)."""
    world = generate(seed, start, end)
    out = {k: world.valid_counts(k) for k in KINDS if k != "complaints"}
    for kind in ("Pengaduan", "Keluhan Layanan", "Keluhan Kebijakan"):
        key = "complaints_" + kind.lower().replace(" ", "_")
        out[key] = {m: world.complaint_counts().get((kind, m), 0) for m in world.rows["complaints"]}
    total, running = {}, 0
    for m, n in sorted(out["instagram_village_followers"].items()):
        running += n
        total[m] = running
    out["instagram_village_followers_total"] = total
    return out
