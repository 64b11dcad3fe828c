"""The rendered report on the shared pipeline run (tests/conftest.py ``pipeline_env``; no other run).

2023-12 (rendered by the run itself): every section heading of the published report in
the PDF's text, in order, with page numbers. Other months through `python -m reporting
render`: 2023-06 (mid-year), 2024-01 (no source has reached it yet) and a month where
one source has no data exit cleanly and say which sources have no data.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.slow

# The published December 2023 report's headings, in its order (docs/report.md).
HEADINGS = [
    "Ringkasan Publikasi dan Layanan Informasi Desember 2023",
    "Ringkasan Publikasi dan Layanan Informasi Tahun 2023",
    "Media Layanan Informasi DJPK",
    "Rincian Publikasi Website DJPK",
    "Rincian Publikasi FGD/Workshop/Sosialisasi DJPK",
    "Rincian Layanan WhatsApp Blast",
    "Halaman yang paling banyak diakses",
    "Perkembangan Jumlah Konsultasi",
    "Topik Konsultasi Teknis Tahun 2023",
    "Topik Konsultasi Lainnya periode Desember 2023",
    "Topik Konsultasi Lainnya Tahun 2023",
    "Pengaduan dan Keluhan Tahun 2023",
    "Rincian Pengaduan Tahun 2023",
    "Rincian Keluhan Layanan Tahun 2023",
    "Rincian Keluhan Kebijakan Tahun 2023",
    "Pengguna Layanan selama Tahun 2023",
    "Pemda Pengguna Terbanyak Tahun 2023",
    "Jumlah Pemda Menghubungi di Dalam dan Luar Jam Layanan sesuai Wilayah",
    "Persentase Eskalasi Tiket",
    "Jumlah Pengguna WhatsApp 2023",
    "Top 3 Topik Konsultasi",
    "Layanan Chatbot DJPK",
    "Jumlah Pengguna Hai Kemenkeu 2023",
    "Jumlah Pengguna Live Chat 2023",
    "Jumlah Pengguna Email Call Center 2023",
    "Jumlah Email Lapor Tahun 2023",
    "Grafik Jumlah Video Conference 2023",
    "Rata-rata Publikasi Konten Medsos Bulanan",
    "Reach (total)",
    "Grafik peningkatan pengikut Instagram 2023",
    "Profile Visits",
    "Grafik peningkatan pengikut Twitter 2023",
    "Grafik pengikut Facebook 2023",
    "Jumlah Permohonan Data melalui PPID Tahun 2023",
    "Rata-rata Realisasi Employee Advocacy DJPK Tahun 2023 (berbagai edisi)",
    "Kepuasan Pengguna",
    "Evaluasi dan Saran",
    "Lampiran Employee Advocacy DJPK Tahun 2023",
]


def _text(pdf) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def december(pipeline_env):
    folder = pipeline_env.out / "reports" / "2023-12"
    return folder, _text(folder / "laporan.pdf")


def test_every_published_heading_is_in_the_pdf_in_order(december):
    _, pages = december
    body = " ".join(pages[2:])  # after the cover and the contents
    missing = [h for h in HEADINGS if h not in body]
    assert not missing, missing
    positions = [body.index(h) for h in HEADINGS]
    assert positions == sorted(positions), list(zip(HEADINGS, positions, strict=True))


def test_the_pdf_has_page_numbers_and_contents(december):
    _, pages = december
    assert "Daftar Isi" in pages[1]
    n = len(pages)
    assert all(f"Halaman {i} dari {n}" in t for i, t in enumerate(pages[1:], start=2))


def test_what_was_computed_but_not_shown_is_shown(december):
    folder, pages = december
    html = (folder / "laporan.html").read_text()
    summary = json.loads((folder / "summary.json").read_text())["metrics"]
    text = " ".join(pages)
    from reporting import formatting as fmt

    assert f"Reach (total) {fmt.num(summary['instagram_reach_total']['value'])}" in text  # 72.037
    assert (
        f"Total akun desa pengikut @ditjenpk adalah {fmt.num(summary['instagram_village_followers']['value'])}" in text
    )
    assert f"Profile Visits {fmt.num(summary['twitter_profile_visits']['value'])}" in text
    assert "Reach (rata-rata) " + fmt.num(summary["facebook_reach_avg"]["value"]) in text
    assert "memerlukan eskalasi lebih lanjut, dengan topik" in text
    for zone in ("WIB", "WITA", "WIT"):
        share = summary["tickets_outside_service_hours"]["shares_pct"][zone]
        assert f"({fmt.pct(share)}) dari" in html and f"({zone})" in html
    assert '<tr class="flag">' in html[html.index('id="tatap-muka"') :]
    assert "KMK Nomor 412 Tahun 2023" in text  # Evaluasi dan Saran from reports/evaluasi/2023-12.md


def _render(pipeline_env, tmp_path, month: str, *extra: str):
    return subprocess.run(
        [sys.executable, "-m", "reporting", "render", "--month", month, "--out", str(tmp_path), *extra],
        env=pipeline_env.env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("month", ["2023-06", "2024-01"])
def test_other_months_render_cleanly_and_say_which_sources_have_no_data(pipeline_env, tmp_path, month):
    res = _render(pipeline_env, tmp_path, month, "--evaluasi-dir", str(tmp_path / "evaluasi"))
    assert res.returncode == 0, res.stderr[-3000:]
    folder = tmp_path / "reports" / month
    summary = json.loads((folder / "summary.json").read_text())
    html = (folder / "laporan.html").read_text()
    pages = _text(folder / "laporan.pdf")
    notes = html[html.index('id="catatan-data"') :]
    assert "Evaluasi dan saran untuk bulan ini belum diisi." in html
    if month == "2024-01":
        assert set(summary["sources_without_data"]) >= {"deskpro", "whatsapp", "avaya", "ga4", "cms"}
        assert "data belum tersedia dari" in res.stdout
        for source in summary["sources_without_data"]:
            assert f'<li data-source="{source}">' in notes
        assert "Data belum tersedia" in " ".join(pages)
        tickets = html[html.index('id="tiket-konsultasi"') : html.index('id="topik"')]
        assert "-100" not in tickets and ">0<" not in tickets
    else:
        assert summary["sources_without_data"] == []
        assert "Juni 2023" in pages[0] and "Topik Konsultasi Teknis Tahun 2023" in " ".join(pages)
        assert "Data belum tersedia untuk bulan" not in notes


def test_a_month_where_one_source_has_no_data(pipeline_env):
    """The warehouse holds every source for 2023-12: take the phone source's last month
    away (as when Avaya's export of December has not arrived) and render."""
    import psycopg

    from reporting.report import collect, render_html

    with psycopg.connect(pipeline_env.warehouse_url) as conn:
        data = collect(conn, "2023-12")
    assert data.coverage["avaya"] == ("2022-12", "2023-12")
    data.coverage["avaya"] = ("2022-12", "2023-11")
    html, figures = render_html(data)
    assert figures.sources_without_data() == ["avaya"]
    phone = html[html.index('id="telepon"') : html.index('id="hai-kemenkeu"')]
    assert "Data belum tersedia (sumber: Avaya (telepon)" in phone and "149" not in phone
    notes = html[html.index('id="catatan-data"') :]
    assert '<li data-source="avaya">Avaya (telepon) (data tersedia Desember 2022 s.d. November 2023)</li>' in notes
    assert "1.118" in html[html.index('id="whatsapp"') : html.index('id="chatbot"')]  # the others are there
