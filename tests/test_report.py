"""The report renderer: Indonesian formatting, sections, PDF, missing sources stated."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from reporting import formatting as fmt
from reporting.published import compare
from reporting.report import ReportData, render_html, render_pdf

METRICS = {
    "consultation_tickets": {
        "value": 1469,
        "prev_month": 1271,
        "same_month_last_year": 1305,
        "ytd": 18008,
        "mom_pct": 15.6,
        "yoy_pct": 12.6,
    },
    "tickets_email_call_center": {
        "value": 126,
        "prev_month": 143,
        "same_month_last_year": 86,
        "mom_pct": -11.9,
        "yoy_pct": 46.5,
    },
    "tickets_whatsapp": {"value": 1118, "prev_month": 1065, "mom_pct": 4.98},
    "email_lapor_messages": {"value": 536, "breakdown": {"Laporan Syarat Salur DAU": 466, "unclassified": 10}},
}


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (1469, 0, "1.469"),
        (18008, 0, "18.008"),
        (4.9, 1, "4,9"),
        (37.67, 1, "37,7"),
        (None, 0, "–"),
    ],
)
def test_numbers_in_indonesian_format(value, decimals, expected):
    assert fmt.num(value, decimals) == expected


def test_change_is_worded_as_the_report_words_it():
    assert (
        fmt.change_phrase(12.6, 1305, "bulan Desember 2022")
        == "<b>meningkat</b> 12,6% dibandingkan bulan Desember 2022 (1.305)"
    )
    assert fmt.change_phrase(-11.9, 143, "bulan sebelumnya").startswith("<b>turun</b> 11,9%")
    assert "tidak tersedia" in fmt.change_phrase(None, None, "bulan sebelumnya")
    assert fmt.month_name("2023-12") == "Desember 2023"
    assert fmt.previous_period("2023-01", 1) == "2022-12" and fmt.previous_period("2023-12", 12) == "2022-12"


def test_html_has_the_figures_and_the_sections_in_order():
    html, figures = render_html(ReportData("2023-12", METRICS))
    assert "1.469" in html and "18.008" in html and "126" in html
    assert "<b>turun</b> 11,9% dibandingkan bulan sebelumnya (143)" in html
    assert "<b>meningkat</b> 46,5% dibandingkan bulan Desember 2022 (86)" in html
    order = [
        "Ringkasan Publikasi dan Layanan Informasi Desember 2023",
        "Ringkasan Publikasi dan Layanan Informasi Tahun 2023",
        "Media Layanan Informasi DJPK",
        "Publikasi Website DJPK",
        "Rincian Publikasi Website DJPK",
        "Publikasi Webinar",
        "Rincian Publikasi FGD/Workshop/Sosialisasi DJPK",
        "Layanan WhatsApp Blast",
        "Rincian Layanan WhatsApp Blast",
        "Kunjungan Website",
        "Tiket Konsultasi Desember 2023",
        "Topik Konsultasi Teknis Desember 2023",
        "Topik Konsultasi Teknis Tahun 2023",
        "Topik Konsultasi Lainnya periode Desember 2023",
        "Topik Konsultasi Lainnya Tahun 2023",
        "Pengaduan dan Keluhan Tahun 2023",
        "Rincian Pengaduan Tahun 2023",
        "Rincian Keluhan Layanan Tahun 2023",
        "Rincian Keluhan Kebijakan Tahun 2023",
        "Pengguna Layanan Desember 2023",
        "Pengguna Layanan selama Tahun 2023",
        "Pemda Pengguna Terbanyak Desember 2023",
        "Pemda Pengguna Terbanyak Tahun 2023",
        "Rincian Tiket Konsultasi",
        "Layanan WhatsApp DJPK",
        "Layanan Chatbot DJPK",
        "Layanan Telepon",
        "Layanan HAI Kemenkeu",
        "Layanan Live Chat",
        "Layanan Email Call Center",
        "Layanan Email Lapor",
        "Layanan Video Conference",
        "Layanan Konsultasi Tatap Muka",
        "Publikasi Konten Media Sosial",
        "Performa Instagram",
        "Performa Twitter",
        "Performa Facebook",
        "Layanan PPID",
        "Rata-rata Realisasi Employee Advocacy",
        "Kepuasan",
        "Evaluasi dan Saran",
        "Catatan Data",
    ]
    positions = [html.index("<h2>" + title) for title in order]
    assert positions == sorted(positions)
    assert 'src="data:image/png;base64,' in html  # charts are inline: the file opens offline
    assert "http://" not in html and "https://" not in html


def test_a_missing_source_is_stated_never_printed_as_zero():
    html, figures = render_html(ReportData("2023-12", METRICS))
    assert "tickets_phone" in figures.missing
    phone = html[html.index('id="telepon"') : html.index('id="hai-kemenkeu"')]
    assert "Data belum tersedia (sumber: Avaya (telepon)" in phone
    assert ">0<" not in phone
    notes = html[html.index('id="catatan-data"') :]
    assert '<li data-metric="tickets_phone">Konsultasi telepon — sumber: Avaya (telepon)</li>' in notes


def test_pdf_has_the_sections(tmp_path):
    html, _ = render_html(ReportData("2023-12", METRICS))
    pdf = tmp_path / "laporan.pdf"
    render_pdf(html, pdf)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    for title in ("Laporan Layanan Informasi DJPK", "Tiket Konsultasi Desember 2023", "Email Lapor", "Catatan Data"):
        assert title in text, title
    assert "1.469" in text
    assert "Daftar Isi" in text and "Halaman 2 dari" in text  # table of contents, page numbers


def test_published_figures_are_compared_with_tolerance_only_for_percentages():
    published = [
        {"metric_key": "tickets_email_call_center", "field": "mom_pct", "published_value": "-13.5", "explanation": "x"},
        {"metric_key": "consultation_tickets", "field": "mom_pct", "published_value": "15", "explanation": ""},
        {"metric_key": "consultation_tickets", "field": "value", "published_value": "1468", "explanation": ""},
        {
            "metric_key": "email_lapor_messages",
            "field": "breakdown:unclassified",
            "published_value": "",
            "explanation": "y",
        },
        {"metric_key": "tickets_phone", "field": "value", "published_value": "149", "explanation": ""},
    ]
    status = {(r["metric_key"], r["field"]): r["status"] for r in compare(METRICS, published)}
    assert status == {
        ("tickets_email_call_center", "mom_pct"): "differs_explained",
        ("consultation_tickets", "mom_pct"): "match",
        ("consultation_tickets", "value"): "differs_unexplained",
        ("email_lapor_messages", "breakdown:unclassified"): "differs_explained",
        ("tickets_phone", "value"): "not_computed",
    }


def test_a_change_from_zero_is_worded_without_a_percentage():
    assert (
        fmt.change_phrase(None, 0, "bulan Desember 2022", current=1)
        == "<b>meningkat</b> dari 0 pada bulan Desember 2022"
    )
    assert fmt.change_phrase(None, 0, "bulan sebelumnya", current=0) == "sama dengan bulan sebelumnya (0)"


def test_a_register_row_without_a_date_shows_none_never_today():
    assert fmt.date_id(None) == "–" and fmt.date_id("2023-12-07") == "7 Desember 2023"
    metrics = {
        "complaints_pengaduan": {
            "value": 2,
            "rows": [
                {"date": "2023-12-07", "description": "Oknum perantara alokasi DBH"},
                {"date": None, "description": "Surat palsu undangan bimtek"},
            ],
        }
    }
    html, _ = render_html(ReportData("2023-12", metrics))
    metrics["complaints_pengaduan"]["rows"][0]["kind"] = "Pengaduan"
    year = [
        {"m": "2023-12", "kind": "Pengaduan", "date": "2023-12-07", "description": "Oknum perantara alokasi DBH"},
        {"m": "2023-12", "kind": "Pengaduan", "date": None, "description": "Surat palsu undangan bimtek"},
    ]
    html, _ = render_html(ReportData("2023-12", metrics, lists={"complaints_year": year}))
    rows = html[html.index('id="rincian-pengaduan"') : html.index('id="rincian-keluhan-layanan"')]
    assert "<td>7 Desember 2023</td>" in rows and "<td>–</td><td>Surat palsu" in rows
    import datetime as dt

    assert fmt.date_id(dt.date.today()) not in rows


def test_figures_keep_their_decimal_and_notes_are_in_indonesian_format():
    metrics = {"social_media_content_avg": {"value": 37.7, "same_month_last_year": 46, "yoy_pct": -18.1}}
    differences = [
        {
            "metric_key": "social_media_content_avg",
            "label": "Konten media sosial",
            "field": "value",
            "published_value": "38",
            "data_value": 37.7,
            "explanation": "dibulatkan",
        },
        {
            "metric_key": "tickets_email_call_center",
            "label": "Email Call Center",
            "field": "mom_pct",
            "published_value": "-13.5",
            "data_value": -11.9,
            "explanation": "penyebut",
        },
        {
            "metric_key": "email_lapor_messages",
            "label": "Email Lapor",
            "field": "breakdown:unclassified",
            "published_value": None,
            "data_value": 10,
            "explanation": "tidak sesuai jenis",
        },
    ]
    data = ReportData(
        "2023-12",
        metrics,
        differences=differences,
        health=[{"source": "meta", "status": "ok", "last_loaded_at": "2026-11-28 01:37:05.6+00:00"}],
    )
    html, _ = render_html(data)
    assert "<b>37,7</b>" in html and ">38<" not in html.split('id="catatan-data"')[0]
    notes = html[html.index('id="catatan-data"') :]
    assert "<td>38</td><td>37,7</td>" in notes and "<td>-13,5%</td><td>-11,9%</td>" in notes
    assert "(rincian: tidak terklasifikasi)" in notes and "<td>–</td><td>10</td>" in notes
    assert "unclassified" not in notes
    assert "28 November 2026 08.37 WIB" in notes and "None" not in notes and "UTC" not in notes


def test_top_local_governments_are_listed_with_their_topics():
    metrics = {
        "top_local_governments": {
            "breakdown": {"Kab. Wajo": 15, "Prov. Sumatera Barat": 15},
            "topics": {"Kab. Wajo": "DAU, SHSR, PDRD"},
            "ytd_breakdown": {"Kab. Probolinggo": 56},
            "ytd_topics": {"Kab. Probolinggo": "DAK, DAU, Transfer"},
        }
    }
    html, _ = render_html(ReportData("2023-12", metrics))
    section = html[html.index('id="pemda"') : html.index('id="zona-waktu"')]
    assert "Pemda Pengguna Terbanyak Desember 2023" in section and "Pemda Pengguna Terbanyak Tahun 2023" in section
    assert "<td>Kab. Wajo</td><td>15</td><td>DAU, SHSR, PDRD</td>" in section
    assert "<td>Prov. Sumatera Barat</td><td>15</td><td>–</td>" in section
    assert "<td>Kab. Probolinggo</td><td>56</td><td>DAK, DAU, Transfer</td>" in section


def test_catatan_data_counts_unresolved_regions_and_lists_rejected_register_rows():
    """Unresolved region texts only as counts: people type their names there (UU 27/2022)."""
    assert fmt.previous_period("2023-12", -1) == "2024-01"
    data = ReportData(
        "2023-12",
        {},
        region_match={
            "consultations": 1469,
            "with_region_text": 1300,
            "matched": 1251,
            "unmatched": 49,
            "unmatched_texts": 12,
            "match_rate": 0.96,
        },
        rejected=[
            {
                "source": "registers",
                "stream": "webinars",
                "record_key": "workbook=Register 2023.xlsx,sheet=Des,sheet_row=9",
                "reason": "date outside the sheet's month",
                "times_seen": 1,
            }
        ],
    )
    html, _ = render_html(data)
    notes = html[html.index('id="catatan-data"') :]
    assert (
        "1.251 dari 1.469 tiket dikenali sebagai daerah; 49 tiket dengan teks daerah yang tidak dikenali (12 teks berbeda)"
        in notes
    )
    assert "review.unmatched_regions" in notes and "Teks yang diketik" not in notes
    assert "baris 9</td><td>tanggal di luar bulan lembarnya</td>" in notes
    assert "Record" not in notes and "Value error" not in notes


def test_an_unchanged_report_is_not_rendered_again(tmp_path, monkeypatch):
    """Same figures, template and renderer: the PDF is kept (stamp included); any change renders it again."""
    import copy
    import itertools

    from reporting import report

    stamps = (f"2026120{i}T000000Z" for i in itertools.count(1))
    metrics = copy.deepcopy(METRICS)
    monkeypatch.setattr(report, "collect", lambda conn, period: ReportData(period, metrics, generated_at=next(stamps)))
    rendered = []
    monkeypatch.setattr(report, "render_pdf", lambda html, path: (rendered.append(html), path.write_text(html)))

    html_path, pdf_path = report.write_report(None, "2023-12", tmp_path)
    first = html_path.read_text()
    assert len(rendered) == 1 and "20261201T000000Z" in first
    report.write_report(None, "2023-12", tmp_path)
    assert len(rendered) == 1 and html_path.read_text() == first  # kept, with its first stamp
    metrics["consultation_tickets"]["value"] = 1470
    report.write_report(None, "2023-12", tmp_path)
    assert len(rendered) == 2 and "1.470" in html_path.read_text()
    pdf_path.unlink()
    report.write_report(None, "2023-12", tmp_path)
    assert len(rendered) == 3 and pdf_path.exists()
    (html_path.parent / ".laporan.inputs").write_text("a rendering cut short")
    report.write_report(None, "2023-12", tmp_path)
    assert len(rendered) == 4
