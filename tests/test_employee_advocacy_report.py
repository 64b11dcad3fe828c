"""The report's employee-advocacy chart, appendix and Catatan data notes (fast: a
hand-made summary; the whole year is rendered in tests/test_employee_advocacy_dbt.py)."""

from __future__ import annotations

from reporting.report import ReportData, render_html

TYPES = ("konten_tersedia", "like_comment_share", "kreasi_konten_mandiri")
PLATFORMS = ("instagram", "facebook", "twitter", "whatsapp", "linkedin", "tiktok", "youtube")


def edition(index, quarter, target, realisasi, types, platforms):
    acts, plats = sum(types), sum(platforms)
    return {
        "index": index,
        "edition_id": f"EA23-{index:02d}",
        "title": f"Edisi {index}",
        "date": "2023-10-09",
        "quarter": quarter,
        "target": target,
        "target_status": "set",
        "realisasi_pegawai": realisasi,
        "pct_of_target": round(100 * realisasi / target, 2),
        "pct_of_all_employees": round(100 * realisasi / 78754, 2),
        "all_employees": 78754,
        "activations_total": acts,
        "activations": dict(zip(TYPES, types, strict=True)),
        "activation_pcts": {k: round(100 * v / acts, 2) for k, v in zip(TYPES, types, strict=True)},
        "social_media_total": plats,
        "platforms": dict(zip(PLATFORMS, platforms, strict=True)),
        "by_ue1": [
            {
                "ue1": "DJPK",
                "target": 30,
                "headcount": 452,
                "realisasi_pegawai": 300,
                "pct_of_target": 1000.0,
                "pct_of_headcount": 66.37,
                "activations_total": 310,
                "activations": {},
                "social_media_total": 320,
                "platforms": {},
            }
        ],
    }


EA = {
    "year": 2023,
    "editions": [
        edition(18, "2023-Q3", 4167, 6028, (0, 6028, 0), (6028, 0, 0, 0, 0, 0, 0)),
        edition(21, "2023-Q4", 4345, 13266, (2641, 11171, 86), (8893, 1635, 2263, 1557, 381, 23, 71)),
    ],
    "quarters": [
        {
            "quarter": "2023-Q3",
            "editions": 1,
            "mean_realisasi_pegawai": 6028.0,
            "mean_target": 4167.0,
            "pct_of_target": 144.66,
            "mean_pct_of_target": 144.66,
            "mean_pct_of_all_employees": 7.65,
            "activations_total": 6028,
            "social_media_total": 6028,
        },
        {
            "quarter": "2023-Q4",
            "editions": 1,
            "mean_realisasi_pegawai": 13266.0,
            "mean_target": 4345.0,
            "pct_of_target": 305.32,
            "mean_pct_of_target": 305.32,
            "mean_pct_of_all_employees": 16.84,
            "activations_total": 13898,
            "social_media_total": 14823,
        },
    ],
}


def test_the_chart_the_appendix_and_the_notes():
    html, _ = render_html(ReportData("2023-12", {}, employee_advocacy=EA))
    assert "Rata-rata Realisasi Employee Advocacy DJPK Tahun 2023 (berbagai edisi)" in html
    assert "Lampiran Employee Advocacy DJPK Tahun 2023" in html
    assert html.count('class="ea-page"') == 2
    assert "13.266" in html and "305,32%" in html and "dari Target Pegawai 2023-Q4 4.345" in html  # Indonesian format
    # Catatan data: E18's Like/Comment/Share and E21's target label, with the consistent values
    assert "edisi 18: Like/Comment/Share" in html and "6.028 (100%)" in html
    assert "edisi 21: Target (label)" in html and "4.345" in html
    assert (
        html.index('id="employee-advocacy"')
        < html.index('id="kepuasan"')
        < html.index('id="lampiran-employee-advocacy"')
    )


def test_without_the_source_the_chart_says_so_and_there_is_no_appendix():
    html, _ = render_html(ReportData("2023-12", {}))
    assert "Rata-rata Realisasi Employee Advocacy" in html and "Data tidak tersedia" in html
    assert "ea-page" not in html
