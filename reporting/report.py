"""The monthly *Laporan Layanan Informasi*, rendered from the marts.

Reads only the ``marts`` schema (as the ``bi_reader`` role, when it exists) and
writes ``out/reports/<YYYY-MM>/laporan.html`` (self-contained: inline CSS and
images) and ``laporan.pdf`` (the same HTML through xhtml2pdf, pure Python).

Sections follow the published report's order. A figure the marts cannot give is
never printed as zero: its section says the data is not available and names the
source, and "Catatan data" lists what failed or was late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import matplotlib

from reporting import charts, employee_advocacy_report
from reporting import formatting as fmt
from reporting.published import compare, load_published
from reporting.summary import build_summary

TEMPLATES = Path(__file__).parent / "templates"

# Which source system a metric comes from: named when the figure is missing.
METRIC_SOURCE = {
    "website_publications": "CMS situs web",
    "website_visitors": "Google Analytics",
    "consultation_tickets": "semua kanal konsultasi",
    "social_media_content_avg": "Instagram/X/Facebook",
    "video_conferences": "register video conference",
    "whatsapp_blasts": "WhatsApp",
    "face_to_face_consultations": "register tatap muka",
    "ppid_requests": "register PPID",
    "webinars": "register webinar",
    "tickets_whatsapp": "WhatsApp",
    "tickets_phone": "Avaya (telepon)",
    "tickets_hai_kemenkeu": "Deskpro",
    "tickets_live_chat": "Deskpro",
    "tickets_email_call_center": "Deskpro",
    "chatbot_users": "WhatsApp",
    "chatbot_menu_selections": "WhatsApp",
    "email_lapor_messages": "mailbox Email Lapor",
    "escalated_tickets": "semua kanal konsultasi",
    "tickets_timezone_identified": "semua kanal konsultasi",
    "tickets_within_service_hours": "semua kanal konsultasi",
    "tickets_outside_service_hours": "semua kanal konsultasi",
    "users_by_segment": "semua kanal konsultasi",
    "top_local_governments": "semua kanal konsultasi",
    "agent_satisfaction_avg": "semua kanal konsultasi",
    "consultation_topics": "semua kanal konsultasi",
    "complaints_pengaduan": "register pengaduan",
    "complaints_keluhan_layanan": "register pengaduan",
    "complaints_keluhan_kebijakan": "register pengaduan",
    "instagram_village_followers": "register pengikut desa",
}

REJECTED_LISTED = 25  # rejected records listed there (register rows first)

CHANNEL_KEYS = [
    ("tickets_whatsapp", "WhatsApp"),
    ("tickets_phone", "Telepon"),
    ("tickets_hai_kemenkeu", "HAI Kemenkeu"),
    ("tickets_live_chat", "Live Chat"),
    ("tickets_email_call_center", "Email Call Center"),
]


@dataclass
class ReportData:
    period: str
    metrics: dict[str, dict[str, Any]]
    channel_trend: dict[str, dict[str, int]] = field(default_factory=dict)  # channel -> month -> n
    health: list[dict[str, Any]] = field(default_factory=list)
    differences: list[dict[str, Any]] = field(default_factory=list)
    # the month's typed regions: matched / unmatched, counts only (the texts may be names: UU 27/2022)
    region_match: dict[str, Any] | None = None
    rejected: list[dict[str, Any]] = field(default_factory=list)  # records the loader kept out
    employee_advocacy: dict[str, Any] | None = None  # summary.json's employee_advocacy (the year's editions)
    generated_at: str = ""


def _table_exists(conn, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]


def _rows(conn, sql: str, params=()) -> list[dict[str, Any]]:
    cur = conn.execute(sql, params)
    cols = [c.name for c in cur.description]
    return [dict(zip(cols, r, strict=False)) for r in cur.fetchall()]


def collect(conn, period: str) -> ReportData:
    summary = build_summary(conn, period)
    data = ReportData(
        period,
        summary["metrics"],
        employee_advocacy=summary.get("employee_advocacy"),
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    month = dt.date.fromisoformat(period + "-01")
    start = dt.date.fromisoformat(fmt.previous_period(period, 12) + "-01")
    if _table_exists(conn, "marts.mart_monthly_channel_volume"):
        for r in _rows(
            conn,
            """select to_char(month, 'YYYY-MM') as month, channel_name, tickets
                                 from marts.mart_monthly_channel_volume
                                 where month between %s and %s order by month""",
            (start, month),
        ):
            data.channel_trend.setdefault(r["channel_name"], {})[r["month"]] = r["tickets"]
    if _table_exists(conn, "marts.mart_pipeline_health"):
        data.health = _rows(conn, "select * from marts.mart_pipeline_health order by source")
    if _table_exists(conn, "marts.mart_monthly_region_match_rate"):
        found = _rows(
            conn,
            """select consultations, with_region_text, matched, unmatched, unmatched_texts, match_rate
                                from marts.mart_monthly_region_match_rate where month = %s""",
            (month,),
        )
        data.region_match = found[0] if found else None
    if _table_exists(conn, "marts.mart_rejected_records"):
        data.rejected = _rows(
            conn,
            """select source, stream, record_key, reason, times_seen, action,
                                              first_seen_at, last_seen_at
                                       from marts.mart_rejected_records
                                       order by source = 'registers' desc, source, stream, record_key limit %s""",
            (REJECTED_LISTED,),
        )
    data.differences = [
        r
        for r in compare(data.metrics, load_published(conn, period))
        if r["status"] in ("differs_explained", "differs_unexplained")
    ]
    return data


class Figures:
    """What the template asks of the data: a metric, or a statement that it is missing."""

    def __init__(self, data: ReportData):
        self.data = data
        self.missing: list[str] = []

    def get(self, key: str) -> dict[str, Any] | None:
        m = self.data.metrics.get(key)
        if m is None and key not in self.missing:
            self.missing.append(key)
        return m

    def value(self, key: str, decimals: int = 1) -> str:
        """The figure, with up to ``decimals`` decimals (1.469; 37,7; 5)."""
        m = self.get(key)
        return fmt.num(m["value"], decimals) if m and m.get("value") is not None else "–"

    def change(self, key: str) -> str:
        m = self.get(key)
        if not m:
            return self.unavailable(key)
        period = self.data.period
        parts = []
        if "prev_month" in m or "mom_pct" in m:
            parts.append(fmt.change_phrase(m.get("mom_pct"), m.get("prev_month"), "bulan sebelumnya", m.get("value")))
        if "same_month_last_year" in m or "yoy_pct" in m:
            parts.append(
                fmt.change_phrase(
                    m.get("yoy_pct"),
                    m.get("same_month_last_year"),
                    f"bulan {fmt.month_name(fmt.previous_period(period, 12))}",
                    m.get("value"),
                )
            )
        return " dan ".join(parts)

    def unavailable(self, key: str) -> str:
        source = METRIC_SOURCE.get(key, "sumber data")
        return f'<span class="missing">Data tidak tersedia (sumber: {source}; lihat Catatan data).</span>'

    def breakdown_chart(self, key: str, field_name: str = "breakdown", kind: str = "bars", title: str = "") -> str:
        m = self.get(key)
        if not m or not m.get(field_name):
            return ""
        items = list(m[field_name].items())
        labels, values = [str(k) for k, _ in items], [float(v) for _, v in items]
        src = charts.donut(labels, values, title) if kind == "donut" else charts.bars(labels, values, title)
        return _img(src, title)

    def channel_trend_chart(self) -> str:
        trend = self.data.channel_trend
        if not trend:
            return ""
        months = [fmt.previous_period(self.data.period, i) for i in range(12, -1, -1)]
        series = {name: [by_month.get(m) for m in months] for name, by_month in trend.items()}
        return _img(charts.trend(months, series, "Konsultasi per kanal"), "tren")

    def channel_share_chart(self) -> str:
        present = [(label, self.data.metrics[k]["value"]) for k, label in CHANNEL_KEYS if k in self.data.metrics]
        if not present:
            return ""
        return _img(
            charts.donut([label for label, _ in present], [float(v) for _, v in present], "Komposisi kanal"),
            "komposisi",
        )


def _img(src: str, alt: str) -> str:
    return f'<div class="chart"><img class="chart" src="{src}" alt="{alt}"></div>'


def render_html(data: ReportData) -> tuple[str, Figures]:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        num=fmt.num,
        pct=fmt.pct,
        date_id=fmt.date_id,
        timestamp_id=fmt.timestamp_id,
        field_label=fmt.field_label,
        figure=fmt.figure,
    )
    figures = Figures(data)
    html = env.get_template("laporan.html.j2").render(
        d=data,
        f=figures,
        month=fmt.month_name(data.period),
        year=data.period[:4],
        prev_year_month=fmt.month_name(fmt.previous_period(data.period, 12)),
        channels=CHANNEL_KEYS,
        source_of=METRIC_SOURCE,
        ea=employee_advocacy_report.render(data.employee_advocacy, data.period[:4]),
    )
    return html, figures


def _pdf_fonts() -> str:
    """DejaVu (shipped with matplotlib) covers every glyph the report uses; Helvetica does not."""
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return (
        "<style>"
        f"@font-face {{ font-family: DejaVu; src: url('{fonts / 'DejaVuSans.ttf'}'); }}"
        f"@font-face {{ font-family: DejaVu; font-weight: bold; src: url('{fonts / 'DejaVuSans-Bold.ttf'}'); }}"
        "body { font-family: DejaVu; }"
        "</style>"
    )


def render_pdf(html: str, path: Path) -> None:
    from xhtml2pdf import pisa

    html = html.replace("</head>", _pdf_fonts() + "</head>", 1)
    with open(path, "wb") as fh:
        result = pisa.CreatePDF(html, dest=fh, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"PDF rendering failed with {result.err} error(s)")


def write_report(conn, period: str, out_dir: Path) -> tuple[Path, Path]:
    data = collect(conn, period)
    html, _ = render_html(data)
    folder = Path(out_dir) / "reports" / period
    folder.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = folder / "laporan.html", folder / "laporan.pdf"
    html_path.write_text(html, encoding="utf-8")
    render_pdf(html, pdf_path)
    return html_path, pdf_path
