"""The WhatsApp figures of the published December 2023 report (Laporan Layanan Informasi DJPK Desember 2023)."""

# Chatbot menu selections, in the report's order.
MENUS = {
    "Informasi Anggaran Transfer ke Daerah": 399,
    "Informasi Kunjungan ke DJPK": 56,
    "Informasi Permohonan Data": 22,
    "Informasi Fungsional AKPD": 36,
    "Informasi Pajak dan Retribusi Daerah": 28,
    "Informasi Pembiayaan Daerah": 13,
    "Informasi Aplikasi SIKD-Core": 6,
    "Informasi Standar Harga Satuan Regional (SHSR)": 6,
}
# The month's broadcast messages: (day, subject).
BLASTS = [
    ("2023-12-01", "Percepatan penyampaian Raperda PDRD"),
    ("2023-12-05", "Penilaian Kinerja dan Penetapan Angka Kredit JF AKPD"),
    ("2023-12-08", "Himbauan percepatan penyaluran DAK Fisik"),
    ("2023-12-08", "Permintaan penyampaian APBD TA 2024"),
    ("2023-12-22", "Langkah-langkah Pelaksanaan Interkoneksi Data Transaksi Pemda Tahun 2024"),
]
