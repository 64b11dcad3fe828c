"""The report's defects of issue #14 and its print quality, on hand-made data (fast).

Visits above the guest limit coloured, no English reaching the reader, load times in
WIB, Indonesian month axes with whole-number ticks, a chart without data saying so,
a source without data for the month stated (never 0 and -100 %), Evaluasi dan Saran
from its file, and a printed PDF with a cover, contents, page numbers and every page
drawn (pages rasterised to PNG).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from reporting import charts, evaluasi, formatting as fmt
from reporting.report import ReportData, render_html, render_pdf

ALL_SOURCES = ("deskpro", "whatsapp", "avaya", "email_lapor", "meta", "x", "ga4", "cms", "registers")


def covered(until: str = "2023-12", **spans) -> dict:
    cov = {s: ("2022-12", until) for s in ALL_SOURCES}
    cov.update(spans)
    return cov


METRICS = {
    "consultation_tickets": {"value": 1469, "prev_month": 1271, "ytd": 18008, "mom_pct": 15.6},
    "tickets_phone": {"value": 0, "prev_month": 103, "mom_pct": -100.0, "ytd": 1500},
    "tickets_whatsapp": {"value": 1118, "prev_month": 988, "mom_pct": 13.2},
    "face_to_face_consultations": {
        "value": 2,
        "guest_limit": 4,
        "above_guest_limit": 1,
        "rows": [
            {
                "date": "2023-12-04",
                "region": "Prov. Papua (DPRD)",
                "topic": "Otsus",
                "guests": 5,
                "above_guest_limit": True,
            },
            {
                "date": "2023-12-05",
                "region": "Kab. Rokan Hulu",
                "topic": "PDRD",
                "guests": 3,
                "above_guest_limit": False,
            },
        ],
    },
    "consultation_topics": {
        "value": 10,
        "breakdown": {"DAU": 5, "Surat Masuk": 3, "unclassified": 2},
        "ytd_breakdown": {"DAU": 50, "Lainnya": 9, "unclassified": 4},
    },
    "email_lapor_messages": {"value": 12, "breakdown": {"Laporan Syarat Salur DAU": 10, "unclassified": 2}},
}


def section(html: str, sid: str) -> str:
    start = html.index(f'<section id="{sid}">')
    return html[start : html.index("</section>", start)]


def test_visits_above_the_guest_limit_are_coloured():
    html, _ = render_html(ReportData("2023-12", METRICS, coverage=covered()))
    rows = section(html, "tatap-muka")
    assert '<tr class="flag"><td>4 Desember 2023</td><td>Prov. Papua (DPRD)</td>' in rows
    assert "<tr><td>5 Desember 2023</td><td>Kab. Rokan Hulu</td>" in rows
    assert "melebihi batas 4 orang" in rows


def test_no_english_reaches_the_reader():
    data = ReportData(
        "2023-12",
        METRICS,
        coverage=covered(),
        health=[
            {
                "source": "registers",
                "label": "Register staf (Excel)",
                "status": "late",
                "quarantined_records": 3,
                "note": "3 record ditolak (lihat raw._quarantine)",
                "last_loaded_at": "2023-12-31 20:00:00+00:00",
            },
        ],
        rejected=[
            {
                "source": "registers",
                "stream": "complaints",
                "record_key": "workbook='Register Pengaduan 2023.xlsx', sheet='Juni 2023', row=6",
                "reason": "kind: Value error, unknown kind 'Saran': expected one of Pengaduan, Keluhan Layanan",
                "action": "rejected",
                "first_seen_at": "2023-12-31 20:00:00+00:00",
                "last_seen_at": "2024-01-01 01:00:00+00:00",
            },
            {
                "source": "registers",
                "stream": "face_to_face_consultations",
                "record_key": "workbook='Register Tatap Muka 2023.xlsx', sheet='Agt-23', row=28",
                "reason": "below the total row (row 27): not counted; move it above the total",
                "action": "rejected",
            },
            {"source": "avaya", "stream": "cdr", "record_key": "callid=1", "reason": "some new loader message"},
        ],
    )
    html, _ = render_html(data)
    text = re.sub(r"<[^>]+>", " ", html.split("<body>", 1)[1])  # what the reader reads (not tags, not images)
    for english in ("unclassified", "Record", "record ", "Value error", "below the total", "UTC", "late", "rejected"):
        assert english not in text, english
    notes = section(html, "catatan-data")
    assert "kolom jenis: jenis 'Saran' tidak dikenal" in notes.replace("&#39;", "'")
    assert "di bawah baris total (baris 27)" in notes
    assert "tidak lolos pemeriksaan format sumber" in notes  # an unknown message is summarised, not shown
    assert "1 Januari 2024 03.00 WIB" in notes and "<td>terlambat</td>" in notes
    assert "tidak terklasifikasi" in section(html, "email-lapor")


def test_load_times_are_in_wib():
    assert fmt.timestamp_id("2023-12-31 20:00:00+00:00") == "1 Januari 2024 03.00 WIB"
    assert fmt.timestamp_id("2023-12-31 20:00:00") == "1 Januari 2024 03.00 WIB"  # naive = UTC


def test_month_axes_are_indonesian_and_counts_have_whole_ticks():
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    fig = charts.monthly_figure(months, {"Video Conference": [3, 3, 3, 11, 11, 10, 8, 8, 10, 9, 8, 5]})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Mei",
        "Jun",
        "Jul",
        "Agu",
        "Sep",
        "Okt",
        "Nov",
        "Des",
    ]
    assert all(float(v).is_integer() for v in ax.get_yticks())
    small = charts.monthly_figure(months[:2], {"x": [1, 2]}).axes[0]
    assert all(float(v).is_integer() for v in small.get_yticks())  # never 0,5 of a count
    big = charts.monthly_figure(["2022-12", "2023-01"], {"x": [1469, 1271]}).axes[0]
    assert [t.get_text() for t in big.get_xticklabels()] == ["Des 22", "Jan 23"]
    assert "1.000" in [t.get_text() for t in big.get_yticklabels()]


def test_a_chart_without_data_says_so():
    for src in (
        charts.donut(["a", "b"], [0, 0], "kosong"),
        charts.donut([], [], "kosong"),
        charts.bars(["a"], [0], "kosong"),
        charts.monthly(["2024-01"], {"x": [None]}, "kosong"),
    ):
        assert src.startswith("data:image/png;base64,")
    assert charts.NO_DATA == "tidak ada data"


def test_a_source_without_data_for_the_month_is_stated_never_zero():
    data = ReportData("2023-12", METRICS, coverage=covered(avaya=("2022-12", "2023-11")))
    html, figures = render_html(data)
    phone = section(html, "telepon")
    assert "Data belum tersedia (sumber: Avaya (telepon)" in phone
    assert "-100" not in phone and "100%" not in phone and "<b>0</b>" not in phone
    assert "tickets_phone" in figures.missing
    notes = section(html, "catatan-data")
    assert '<li data-source="avaya">Avaya (telepon) (data tersedia Desember 2022 s.d. November 2023)</li>' in notes
    assert '<li data-metric="tickets_phone">' in notes
    # the other sources are there
    assert "1.118" in section(html, "whatsapp")
    assert figures.sources_without_data() == ["avaya"]


def test_a_month_no_source_has_reached_renders_and_says_so(tmp_path):
    data = ReportData("2024-01", {}, coverage=covered())
    html, figures = render_html(data)
    assert set(figures.sources_without_data()) == set(ALL_SOURCES)
    assert "Data belum tersedia" in section(html, "ringkasan") or "belum tersedia" in section(html, "ringkasan")
    assert ">0<" not in section(html, "tiket-konsultasi")
    render_pdf(html, tmp_path / "laporan.pdf")  # no chart fails for want of data
    assert (tmp_path / "laporan.pdf").stat().st_size > 10_000


def test_topics_are_split_into_technical_and_other_in_indonesian():
    html, _ = render_html(ReportData("2023-12", METRICS, coverage=covered()))
    assert "<td>DAU</td><td>5</td>" in section(html, "topik")
    assert "Surat Masuk" not in section(html, "topik") and "<td>Surat Masuk</td><td>3</td>" in section(
        html, "topik-lainnya"
    )
    assert "2 konsultasi belum terklasifikasi" in section(html, "topik")
    assert "<td>Lainnya</td><td>9</td>" in section(html, "topik-lainnya-tahun")


def test_evaluasi_is_read_from_its_file_and_never_invented(tmp_path, monkeypatch):
    monkeypatch.setenv(evaluasi.ENV, str(tmp_path))
    assert evaluasi.path_for("2024-02") == tmp_path / "2024-02.md"
    assert evaluasi.load("2024-02") is None
    html, _ = render_html(ReportData("2024-02", {}, evaluasi=evaluasi.load("2024-02")))
    assert "Evaluasi dan saran untuk bulan ini belum diisi." in section(html, "evaluasi")
    (tmp_path / "2024-02.md").write_text(
        "## Manajemen Informasi\n\nKoordinasi **perlu** ditingkatkan <script>x</script>.\n\n- Agen Tingkat I;\n- Agen Tingkat II\n",
        encoding="utf-8",
    )
    body = evaluasi.load("2024-02")
    assert body == (
        "<h3>Manajemen Informasi</h3>\n<p>Koordinasi <b>perlu</b> ditingkatkan &lt;script&gt;x&lt;/script&gt;.</p>\n"
        "<ul><li>Agen Tingkat I;</li><li>Agen Tingkat II</li></ul>"
    )
    html, _ = render_html(ReportData("2024-02", {}, evaluasi=body))
    assert "belum diisi" not in section(html, "evaluasi") and "Agen Tingkat II" in section(html, "evaluasi")
    (tmp_path / "2024-03.md").write_text("  \n", encoding="utf-8")
    assert evaluasi.load("2024-03") is None  # an empty file is not filled in


def test_the_published_evaluasi_of_december_2023_is_in_its_place():
    body = evaluasi.to_html((evaluasi.DEFAULT_DIR / "2023-12.md").read_text(encoding="utf-8"))
    assert "<h3>Manajemen Informasi</h3>" in body and "KMK Nomor 412 Tahun 2023" in body


def _pages_as_png(pdf, out_dir) -> list:
    """Every page of ``pdf`` as a PNG: poppler's pdftoppm, else pypdfium2, else skip."""
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(out_dir / "page")], check=True, timeout=300)
        return sorted(out_dir.glob("page-*.png"))
    try:
        import pypdfium2
    except ImportError:
        pytest.skip("no PDF rasteriser: install poppler-utils (pdftoppm) or pypdfium2")
    paths = []
    for i, page in enumerate(pypdfium2.PdfDocument(str(pdf))):
        path = out_dir / f"page-{i + 1:03d}.png"
        page.render(scale=30 / 72).to_pil().save(path)
        paths.append(path)
    return paths


def test_the_printed_report_has_a_cover_contents_page_numbers_and_no_blank_page(tmp_path, monkeypatch):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (40, 40), "#0b4f8a").save(logo)
    monkeypatch.setenv("DJPK_REPORT_LOGO", str(logo))
    from reporting.report import _logo

    data = ReportData("2023-12", METRICS, coverage=covered(avaya=("2022-12", "2023-11")), logo=_logo())
    html, _ = render_html(data)
    assert 'class="logo" src="data:image/png;base64,' in html
    pdf = tmp_path / "laporan.pdf"
    render_pdf(html, pdf)
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    n = len(texts)
    assert n > 5
    assert "Laporan Layanan Informasi DJPK" in texts[0] and "Desember 2023" in texts[0]
    assert "Halaman" not in texts[0]  # no number on the cover
    assert "Daftar Isi" in texts[1] and "Catatan Data" in texts[1]
    for i, text in enumerate(texts[1:], start=2):
        assert f"Halaman {i} dari {n}" in text, (i, text[-200:])
    # the contents give the page where each section starts
    catatan = next(i for i, t in enumerate(texts[2:], start=3) if "Catatan Data" in t)
    assert "Catatan Data .." in texts[1] and str(catatan) in texts[1].split("Catatan Data", 1)[1][:400]
    pngs = _pages_as_png(pdf, tmp_path)
    assert len(pngs) == n
    for png in pngs:
        gray = Image.open(png).convert("L")
        inked = sum(1 for v in gray.getdata() if v < 200)
        assert inked > 0.002 * gray.width * gray.height, f"{png.name}: an (almost) empty page"
