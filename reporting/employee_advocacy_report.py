"""The report's employee-advocacy parts, from summary.json's ``employee_advocacy``:

* the main-body chart "Rata-rata Realisasi Employee Advocacy DJPK Tahun <year>
  (berbagai edisi)": realisation per edition through the year, the target, and each
  quarter's average realisation per edition;
* the appendix "Lampiran Employee Advocacy DJPK Tahun <year>": one page per edition,
  like the published dashboard (realisation against target and all employees,
  activation types as a donut, platforms as bars, a table by UE1), Indonesian format;
* Catatan data: where a published snapshot contradicts itself, the consistent value
  and why.
"""

from __future__ import annotations

from html import escape
from typing import Any

from reporting import charts, formatting as fmt

TYPE_LABELS = {
    "konten_tersedia": "Konten Tersedia",
    "like_comment_share": "Like/Comment/Share",
    "kreasi_konten_mandiri": "Kreasi Konten Mandiri",
}
PLATFORM_LABELS = {
    "instagram": "Instagram",
    "facebook": "Facebook",
    "twitter": "Twitter/X",
    "whatsapp": "WhatsApp",
    "linkedin": "LinkedIn",
    "tiktok": "TikTok",
    "youtube": "YouTube",
}

# Where the published December 2023 report's appendix contradicts itself (edition index
# of 2023 -> what it printed and why the data's value is the consistent one).
PUBLISHED_CONTRADICTIONS_2023 = {
    18: (
        "Like/Comment/Share",
        "4.167 (100 %)",
        "4.167 adalah target Q3 yang tercetak pada halaman yang sama; 100 % dari 6.028 aktivasi berarti 6.028",
    ),
    **{
        i: (
            "Target (label)",
            "Q3 4.167",
            "persentase yang dicetak dihitung terhadap 4.345, target triwulan IV; label target tidak diperbarui",
        )
        for i in range(21, 26)
    },
}


def _img(src: str, alt: str, width: str = "15cm") -> str:
    return f'<img class="chart" style="width:{width}" src="{src}" alt="{escape(alt)}">'


def _trend_chart(ea: dict[str, Any]) -> str:
    import matplotlib.pyplot as plt

    eds = ea["editions"]
    x = [e["index"] for e in eds]
    fig, ax = plt.subplots(figsize=(7.2, 3.4))
    ax.bar(x, [e["realisasi_pegawai"] for e in eds], color=charts.PALETTE[0], label="Realisasi jumlah pegawai")
    ax.step(
        x,
        [e["target"] if e["target"] is not None else float("nan") for e in eds],
        where="mid",
        color=charts.PALETTE[3],
        label="Target jumlah pegawai (triwulan)",
    )
    for q in ea.get("quarters", []):
        of = [e["index"] for e in eds if e["quarter"] == q["quarter"]]
        ax.hlines(
            q["mean_realisasi_pegawai"],
            min(of) - 0.4,
            max(of) + 0.4,
            colors=charts.PALETTE[1],
            linewidth=2,
            label="Rata-rata realisasi per edisi (triwulan)" if q is ea["quarters"][0] else None,
        )
        ax.text(
            (min(of) + max(of)) / 2,
            q["mean_realisasi_pegawai"],
            fmt.num(q["mean_realisasi_pegawai"]),
            ha="center",
            va="bottom",
            fontsize=7,
        )
    ax.set_xticks(x)
    ax.set_xlabel("Edisi", fontsize=8)
    ax.tick_params(labelsize=7)
    charts._count_axis(ax.yaxis)  # whole employees, Indonesian thousands
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return charts._png(fig)


def chart(ea: dict[str, Any] | None, year: str) -> str:
    title = f"Rata-rata Realisasi Employee Advocacy DJPK Tahun {year} (berbagai edisi)"
    if not ea or not ea.get("editions"):
        return (
            f'<section id="employee-advocacy"><h2>{title}</h2><p><span class="missing">Data tidak tersedia '
            f"(sumber: ekspor program employee advocacy; lihat Catatan data).</span></p></section>"
        )
    rows = "".join(
        f"<tr><td>{escape(q['quarter'])}</td><td>{q['editions']}</td><td>{fmt.num(q['mean_realisasi_pegawai'], 2)}</td>"
        f"<td>{fmt.num(q['mean_target'], 2) if q['mean_target'] is not None else '–'}</td>"
        f"<td>{fmt.pct(q['pct_of_target'], 2)}</td><td>{fmt.pct(q['mean_pct_of_all_employees'], 2)}</td></tr>"
        for q in ea["quarters"]
    )
    return (
        f'<section id="employee-advocacy"><h2>{title}</h2>'
        f'<div class="chart">{_img(_trend_chart(ea), title)}</div>'
        '<table class="rows"><tr><th>Triwulan</th><th>Edisi</th><th>Rata-rata realisasi per edisi</th>'
        "<th>Target</th><th>Rata-rata dari target</th><th>Rata-rata dari seluruh pegawai</th></tr>"
        f'{rows}</table><p class="note">Target dan jumlah pegawai dibaca dari data program (per UE1 per '
        "triwulan), bukan dari label dasbor. Rincian per edisi: Lampiran Employee Advocacy.</p></section>"
    )


def _edition_page(e: dict[str, Any], year: str, first: bool = False) -> str:
    types = [(TYPE_LABELS[k], v) for k, v in e["activations"].items()]
    plats = sorted(((PLATFORM_LABELS[k], v) for k, v in e["platforms"].items()), key=lambda kv: -kv[1])
    donut = (
        charts.donut([lab for lab, _ in types], [float(v) for _, v in types], "Jenis aktivasi")
        if e["activations_total"]
        else ""
    )
    bars = (
        charts.bars([lab for lab, _ in plats], [float(v) for _, v in plats], "Media sosial")
        if e["social_media_total"]
        else ""
    )
    target = (
        f"dari Target Pegawai {escape(e['quarter'])} {fmt.num(e['target'])}"
        if e["target"] is not None
        else "target belum ditetapkan untuk triwulan ini"
    )
    cards = (
        '<table class="cards"><tr>'
        f'<td class="card"><div class="big">{fmt.num(e["realisasi_pegawai"])}</div><div class="label">Realisasi Jumlah Pegawai</div></td>'
        f'<td class="card"><div class="big">{fmt.pct(e["pct_of_target"], 2)}</div><div class="label">{target}</div></td>'
        f'<td class="card"><div class="big">{fmt.pct(e["pct_of_all_employees"], 2)}</div><div class="label">dari Jumlah Seluruh Pegawai {fmt.num(e["all_employees"])}</div></td>'
        f'<td class="card"><div class="big">{fmt.num(e["activations_total"])}</div><div class="label">Jumlah Aktivasi</div></td>'
        "</tr><tr>"
        + "".join(
            f'<td class="card"><div class="big">{fmt.num(e["activations"][k])}</div><div class="label">{TYPE_LABELS[k]} '
            f"({fmt.pct(e['activation_pcts'][k], 2)})</div></td>"
            for k in TYPE_LABELS
        )
        + f'<td class="card"><div class="big">{fmt.num(e["social_media_total"])}</div><div class="label">Jumlah Media Sosial</div></td>'
        "</tr></table>"
    )
    ue1_rows = "".join(
        f"<tr><td>{escape(u['ue1'])}</td><td>{fmt.num(u['realisasi_pegawai'])}</td>"
        f"<td>{fmt.num(u['target']) if u['target'] is not None else '–'}</td><td>{fmt.pct(u['pct_of_target'], 2)}</td>"
        f"<td>{fmt.num(u['headcount'])}</td><td>{fmt.pct(u['pct_of_headcount'], 2)}</td>"
        f"<td>{fmt.num(u['activations_total'])}</td><td>{fmt.num(u['social_media_total'])}</td></tr>"
        for u in sorted(e["by_ue1"], key=lambda u: -u["realisasi_pegawai"])
    )
    brk = "" if first else ' style="page-break-before: always"'
    return (
        f'<div class="ea-page"{brk}>'
        f"<h2>Lampiran Employee Advocacy DJPK Tahun {year}: Edisi {e['index']}</h2>"
        f'<p class="subtitle">{escape(e["title"] or "")} — {fmt.date_id(e["date"])} ({escape(e["quarter"])})</p>'
        f"{cards}"
        f'<table width="100%"><tr><td>{_img(donut, "Jenis aktivasi", "8cm") if donut else ""}</td>'
        f"<td>{_img(bars, 'Media sosial', '8cm') if bars else ''}</td></tr></table>"
        '<table class="rows"><tr><th>UE1</th><th>Realisasi</th><th>Target</th><th>% target</th><th>Jumlah pegawai</th>'
        f"<th>% pegawai</th><th>Aktivasi</th><th>Media sosial</th></tr>{ue1_rows}</table></div>"
    )


def appendix(ea: dict[str, Any] | None, year: str) -> str:
    if not ea or not ea.get("editions"):
        return ""
    return (
        f'<section id="lampiran-employee-advocacy"><h1 style="page-break-before: always">'
        f"Lampiran Employee Advocacy DJPK Tahun {year}</h1>"
        + "".join(_edition_page(e, year, i == 0) for i, e in enumerate(ea["editions"]))
        + "</section>"
    )


def notes(ea: dict[str, Any] | None, year: str) -> str:
    """Catatan data: the published snapshots' contradictions, with the consistent value."""
    if not ea or not ea.get("editions") or year != "2023":
        return ""
    rows = []
    for e in ea["editions"]:
        c = PUBLISHED_CONTRADICTIONS_2023.get(e["index"])
        if not c:
            continue
        what, printed, why = c
        value = (
            f"{fmt.num(e['activations']['like_comment_share'])} ({fmt.pct(e['activation_pcts']['like_comment_share'], 2)})"
            if what.startswith("Like")
            else f"{escape(e['quarter'])} {fmt.num(e['target'])}: {fmt.pct(e['pct_of_target'], 2)}"
        )
        rows.append(
            f"<tr><td>Employee advocacy edisi {e['index']}: {what}</td><td>{printed}</td><td>{value}</td>"
            f"<td>{why}.</td></tr>"
        )
    if not rows:
        return ""
    return (
        "<p>Lampiran employee advocacy: halaman dasbor yang dipublikasikan yang bertentangan dengan dirinya sendiri, "
        'dan nilai yang konsisten menurut data:</p><table class="rows"><tr><th>Angka</th><th>Dipublikasikan</th>'
        "<th>Data</th><th>Penjelasan</th></tr>" + "".join(rows) + "</table>"
    )


def render(ea: dict[str, Any] | None, year: str) -> dict[str, str]:
    return {"chart": chart(ea, year), "appendix": appendix(ea, year), "notes": notes(ea, year)}
