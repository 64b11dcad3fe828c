"""The monthly *Laporan Layanan Informasi*, rendered from the marts.

Reads only the ``marts`` schema (as the ``bi_reader`` role, when it exists) and
writes ``out/reports/<YYYY-MM>/laporan.html`` (self-contained: inline CSS and
images) and ``laporan.pdf`` (the same HTML through WeasyPrint: cover, table of
contents, page numbers).

Sections follow the published report's order and headings (docs/report.md). A figure
the marts cannot give is never printed as zero: when its source has no data for the
month (``coverage``: the first and last month each source has data in the marts),
its section says "Data belum tersedia" and names the source, and "Catatan data"
lists the sources without data, what failed or was late. "Evaluasi dan Saran" is
written by people: ``reporting/evaluasi.py`` reads it from a Markdown file.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import matplotlib
from markupsafe import escape

from reporting import charts, employee_advocacy_report, evaluasi, formatting as fmt
from reporting.published import compare, load_published
from reporting.summary import build_summary

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
ROOT = Path(__file__).resolve().parents[1]
LOGO_ENV = "DJPK_REPORT_LOGO"  # optional cover logo (PNG/JPEG/SVG); default reports/logo.(png|svg|jpg)

# Pipeline sources (seed pipeline_sources) and how the reader knows them.
SOURCE_LABELS = {
    "deskpro": "Deskpro (Email Call Center / HAI Kemenkeu / Live Chat)",
    "whatsapp": "WhatsApp Business",
    "avaya": "Avaya (telepon)",
    "email_lapor": "Mailbox Email Lapor",
    "meta": "Meta (Instagram / Facebook)",
    "x": "X (Twitter)",
    "ga4": "Google Analytics 4",
    "cms": "CMS situs web",
    "registers": "Register staf (Excel)",
}
CONSULTATION_SOURCES = ("whatsapp", "avaya", "deskpro")

# metric -> (sources it comes from, what the reader calls it). A consultation figure needs
# at least one consultation source; any other figure needs every source named.
METRICS: dict[str, tuple[tuple[str, ...], str]] = {
    "website_publications": (("cms",), "Publikasi website"),
    "website_visitors": (("ga4",), "Pengunjung website"),
    "consultation_tickets": (CONSULTATION_SOURCES, "Tiket konsultasi"),
    "social_media_content_avg": (("meta", "x"), "Rata-rata publikasi konten media sosial"),
    "video_conferences": (("registers",), "Video conference"),
    "whatsapp_blasts": (("whatsapp",), "WhatsApp Blast"),
    "face_to_face_consultations": (("registers",), "Konsultasi tatap muka"),
    "ppid_requests": (("registers",), "Permohonan data PPID"),
    "webinars": (("registers",), "Webinar/FGD"),
    "tickets_whatsapp": (("whatsapp",), "Konsultasi WhatsApp"),
    "tickets_phone": (("avaya",), "Konsultasi telepon"),
    "tickets_hai_kemenkeu": (("deskpro",), "Konsultasi HAI Kemenkeu"),
    "tickets_live_chat": (("deskpro",), "Konsultasi Live Chat"),
    "tickets_email_call_center": (("deskpro",), "Konsultasi Email Call Center"),
    "phone_calls_offered": (("avaya",), "Panggilan masuk telepon"),
    "phone_calls_answered": (("avaya",), "Panggilan terjawab"),
    "phone_calls_abandoned": (("avaya",), "Panggilan tidak terjawab"),
    "phone_abandon_rate_pct": (("avaya",), "Persentase panggilan tidak terjawab"),
    "phone_asa_seconds": (("avaya",), "Rata-rata waktu menjawab"),
    "chatbot_users": (("whatsapp",), "Pengguna chatbot"),
    "chatbot_menu_selections": (("whatsapp",), "Menu chatbot yang diakses"),
    "email_lapor_messages": (("email_lapor",), "Email Lapor"),
    "escalated_tickets": (CONSULTATION_SOURCES, "Tiket eskalasi"),
    "tickets_timezone_identified": (CONSULTATION_SOURCES, "Tiket menurut zona waktu"),
    "tickets_within_service_hours": (CONSULTATION_SOURCES, "Tiket di dalam jam layanan"),
    "tickets_outside_service_hours": (CONSULTATION_SOURCES, "Tiket di luar jam layanan"),
    "users_by_segment": (CONSULTATION_SOURCES, "Pengguna layanan menurut segmen"),
    "top_local_governments": (CONSULTATION_SOURCES, "Pemda pengguna terbanyak"),
    "agent_satisfaction_avg": (CONSULTATION_SOURCES, "Kepuasan pengguna"),
    "consultation_topics": (CONSULTATION_SOURCES, "Topik konsultasi"),
    "complaints_pengaduan": (("registers",), "Pengaduan"),
    "complaints_keluhan_layanan": (("registers",), "Keluhan layanan"),
    "complaints_keluhan_kebijakan": (("registers",), "Keluhan kebijakan"),
    "instagram_village_followers": (("registers",), "Akun desa pengikut Instagram"),
    "instagram_followers_end_of_month": (("meta",), "Pengikut Instagram"),
    "instagram_reach_total": (("meta",), "Reach Instagram (total)"),
    "instagram_reach_avg": (("meta",), "Reach Instagram (rata-rata)"),
    "instagram_feed_posts": (("meta",), "Feed Instagram"),
    "instagram_stories": (("meta",), "Story Instagram"),
    "twitter_posts": (("x",), "Konten Twitter"),
    "twitter_followers_end_of_month": (("x",), "Pengikut Twitter"),
    "twitter_profile_visits": (("x",), "Profile visits Twitter"),
    "facebook_posts": (("meta",), "Konten Facebook"),
    "facebook_followers_end_of_month": (("meta",), "Pengikut Facebook"),
    "facebook_reach_avg": (("meta",), "Reach Facebook (rata-rata)"),
}
# Kept for callers of the earlier API: metric -> the source's label.
METRIC_SOURCE = {k: " / ".join(SOURCE_LABELS[s] for s in srcs) for k, (srcs, _) in METRICS.items()}

REJECTED_LISTED = 25  # rejected records listed there (register rows first)

CHANNEL_KEYS = [
    ("tickets_whatsapp", "WhatsApp"),
    ("tickets_phone", "Telepon"),
    ("tickets_hai_kemenkeu", "HAI Kemenkeu"),
    ("tickets_live_chat", "Live Chat"),
    ("tickets_email_call_center", "Email Call Center"),
]
# The report's "Topik Konsultasi Lainnya": topics that are not a technical subject.
OTHER_TOPICS = ("Lainnya", "Surat Masuk", "Reservasi", "Permintaan Data", "Video Conference")
COMPLAINT_KINDS = [
    ("complaints_pengaduan", "Pengaduan"),
    ("complaints_keluhan_layanan", "Keluhan Layanan"),
    ("complaints_keluhan_kebijakan", "Keluhan Kebijakan"),
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
    # source -> (first month, last month) with data in the marts, "YYYY-MM"; None = not known (every source counts)
    coverage: dict[str, tuple[str, str] | None] | None = None
    # series over the report's year (January to the month): name -> {"YYYY-MM": value}
    series: dict[str, dict[str, Any]] = field(default_factory=dict)
    # lists the sections print (publications, blasts, the year's complaints, topics, top topics per channel)
    lists: dict[str, Any] = field(default_factory=dict)
    evaluasi: str | None = None  # the month's Evaluasi dan Saran, as HTML (None: not written)
    evaluasi_path: str = ""
    logo: str | None = None  # the cover logo as a data URI


def _table_exists(conn, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]


def _rows(conn, sql: str, params=()) -> list[dict[str, Any]]:
    cur = conn.execute(sql, params)
    cols = [c.name for c in cur.description]
    return [dict(zip(cols, r, strict=False)) for r in cur.fetchall()]


def _p(d: dt.date | None) -> str | None:
    return None if d is None else d.strftime("%Y-%m")


# source -> (mart, condition for "the source has data for this month"): the first and last such
# month bound what the source covers (months in between count as covered: a quiet month is 0).
COVERAGE = {
    "deskpro": ("mart_monthly_channel_volume", "channel_key in ('hai_kemenkeu', 'live_chat', 'email_call_center')"),
    "whatsapp": ("mart_monthly_channel_volume", "channel_key = 'whatsapp'"),
    "avaya": ("mart_monthly_channel_volume", "channel_key = 'phone'"),
    "email_lapor": ("mart_monthly_email_lapor", "messages > 0"),
    "meta": ("mart_monthly_social", "platform in ('instagram', 'facebook')"),
    "x": ("mart_monthly_social", "platform = 'twitter'"),
    "ga4": ("mart_monthly_website", "visitors is not null"),
    "cms": ("mart_monthly_website", "publications > 0"),
    "registers": ("mart_monthly_registers", "entries is not null"),
}
COVERAGE_EXTRA = {  # a row is data only when it holds some
    "mart_monthly_channel_volume": "tickets > 0",
    "mart_monthly_social": "coalesce(posts, 0) + coalesce(followers_end_of_month, 0) > 0",
}


def source_coverage(conn) -> dict[str, tuple[str, str] | None]:
    out: dict[str, tuple[str, str] | None] = {}
    for source, (mart, cond) in COVERAGE.items():
        if not _table_exists(conn, f"marts.{mart}"):
            out[source] = None
            continue
        extra = COVERAGE_EXTRA.get(mart)
        where = f"({cond})" + (f" and {extra}" if extra else "")
        first, last = conn.execute(f"select min(month), max(month) from marts.{mart} where {where}").fetchone()
        out[source] = (_p(first), _p(last)) if first else None
    return out


def _year_months(period: str) -> list[str]:
    return [f"{period[:4]}-{m:02d}" for m in range(1, int(period[5:7]) + 1)]


def _collect_series(conn, data: ReportData, month: dt.date) -> None:
    jan = month.replace(month=1)
    s = data.series
    if _table_exists(conn, "marts.mart_monthly_channel_volume"):
        for r in _rows(
            conn,
            "select to_char(month, 'YYYY-MM') as m, channel_key, tickets from marts.mart_monthly_channel_volume "
            "where month between %s and %s",
            (jan, month),
        ):
            s.setdefault("tickets_" + r["channel_key"], {})[r["m"]] = r["tickets"]
    if _table_exists(conn, "marts.mart_monthly_registers"):
        for r in _rows(
            conn,
            "select to_char(month, 'YYYY-MM') as m, metric_key, entries from marts.mart_monthly_registers "
            "where month between %s and %s",
            (jan, month),
        ):
            s.setdefault(r["metric_key"], {})[r["m"]] = r["entries"]
    if _table_exists(conn, "marts.mart_monthly_email_lapor"):
        for r in _rows(
            conn,
            "select to_char(month, 'YYYY-MM') as m, messages from marts.mart_monthly_email_lapor "
            "where month between %s and %s",
            (jan, month),
        ):
            s.setdefault("email_lapor_messages", {})[r["m"]] = r["messages"]
    if _table_exists(conn, "marts.mart_monthly_social"):
        for r in _rows(
            conn,
            "select to_char(month, 'YYYY-MM') as m, platform, followers_end_of_month, reach_total, reach_avg "
            "from marts.mart_monthly_social where month between %s and %s",
            (jan, month),
        ):
            s.setdefault(f"{r['platform']}_followers", {})[r["m"]] = r["followers_end_of_month"]
            if r["m"] == data.period:
                data.lists[f"{r['platform']}_reach"] = {"total": r["reach_total"], "avg": r["reach_avg"]}
    if _table_exists(conn, "marts.mart_monthly_social_content"):
        for r in _rows(
            conn,
            "select to_char(month, 'YYYY-MM') as m, content_avg, platforms from marts.mart_monthly_social_content "
            "where month between %s and %s",
            (jan, month),
        ):
            if r["platforms"] == 3 and r["content_avg"] is not None:
                s.setdefault("social_media_content_avg", {})[r["m"]] = round(float(r["content_avg"]), 1)


def _collect_lists(conn, data: ReportData, month: dt.date) -> None:
    jan = month.replace(month=1)
    li = data.lists
    if _table_exists(conn, "marts.mart_monthly_website_publications"):
        li["website_publications"] = _rows(
            conn,
            "select published_date as date, report_category as category, title "
            "from marts.mart_monthly_website_publications where month = %s "
            "order by category_sort_order, published_date, title",
            (month,),
        )
    if _table_exists(conn, "marts.mart_monthly_whatsapp_blasts"):
        li["whatsapp_blasts"] = _rows(
            conn,
            "select blast_date as date, subject from marts.mart_monthly_whatsapp_blasts where month = %s "
            "order by blast_date, sent_at",
            (month,),
        )
    if _table_exists(conn, "marts.mart_register_complaints"):
        li["complaints_year"] = _rows(
            conn,
            "select to_char(month, 'YYYY-MM') as m, complaint_kind as kind, complaint_date as date, description "
            "from marts.mart_register_complaints where month between %s and %s order by month, row_in_month",
            (jan, month),
        )
    if _table_exists(conn, "marts.dim_topic"):
        li["topic_descriptions"] = {
            r["topic_name"]: r["description"]
            for r in _rows(conn, "select topic_name, description from marts.dim_topic order by sort_order")
        }
    if _table_exists(conn, "marts.fct_consultations"):
        # the three most frequent topics of the month per channel (counts only)
        top: dict[str, list[tuple[str, int]]] = {}
        for r in _rows(
            conn,
            """select channel_key, topic, n from (
                   select channel_key, topic, count(*) as n,
                          row_number() over (partition by channel_key order by count(*) desc, topic) as pos
                   from marts.fct_consultations
                   where created_month = %s and topic is not null
                   group by channel_key, topic) as ranked
               where pos <= 3 order by channel_key, pos""",
            (month,),
        ):
            top.setdefault(r["channel_key"], []).append((r["topic"], r["n"]))
        li["top_topics"] = top


def collect(conn, period: str) -> ReportData:
    summary = build_summary(conn, period)
    data = ReportData(
        period,
        summary["metrics"],
        employee_advocacy=summary.get("employee_advocacy"),
        generated_at=fmt.timestamp_id(dt.datetime.now(dt.UTC)),
    )
    month = dt.date.fromisoformat(period + "-01")
    start = dt.date.fromisoformat(fmt.previous_period(period, 12) + "-01")
    data.coverage = source_coverage(conn)
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
    _collect_series(conn, data, month)
    _collect_lists(conn, data, month)
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

    # --- sources ---------------------------------------------------------------------------
    def source_has_data(self, source: str) -> bool:
        """Whether ``source`` has data for the report's month (unknown coverage: assume it has)."""
        cov = self.data.coverage
        if cov is None or source not in cov:
            return True
        span = cov[source]
        return span is not None and span[0] <= self.data.period <= span[1]

    def sources_without_data(self) -> list[str]:
        return [s for s in SOURCE_LABELS if not self.source_has_data(s)]

    def _sources_ok(self, key: str) -> bool:
        srcs = METRICS.get(key, ((), ""))[0]
        if not srcs:
            return True
        if srcs == CONSULTATION_SOURCES:
            return any(self.source_has_data(s) for s in srcs)
        return all(self.source_has_data(s) for s in srcs)

    def _miss(self, key: str) -> None:
        if key not in self.missing:
            self.missing.append(key)

    # --- figures ---------------------------------------------------------------------------
    def get(self, key: str) -> dict[str, Any] | None:
        m = self.data.metrics.get(key)
        if m is not None and (not self._sources_ok(key) or ("value" in m and m["value"] is None)):
            m = None  # the source has no data for the month: never a 0 or a -100 %
        if m is not None and "value" not in m and not any(v for k, v in m.items() if k != "note"):
            m = None
        if m is None:
            self._miss(key)
        return m

    def value(self, key: str, decimals: int = 1) -> str:
        """The figure, with up to ``decimals`` decimals (1.469; 37,7; 5)."""
        m = self.get(key)
        return fmt.num(m["value"], decimals) if m and m.get("value") is not None else "–"

    def card_value(self, key: str, field_name: str = "value", decimals: int = 1) -> str:
        m = self.get(key)
        if not m or m.get(field_name) is None:
            return '<span class="missing-card">belum tersedia</span>'
        return fmt.num(m[field_name], decimals)

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

    def source_label(self, key: str) -> str:
        srcs = METRICS.get(key, ((), ""))[0]
        return " / ".join(SOURCE_LABELS[s] for s in srcs) or "sumber data"

    def label(self, key: str) -> str:
        return METRICS.get(key, ((), key))[1]

    def unavailable(self, key: str) -> str:
        self._miss(key)
        return (
            f'<span class="missing">Data belum tersedia (sumber: {escape(self.source_label(key))}; '
            "lihat Catatan data).</span>"
        )

    def share_of_tickets(self, key: str) -> float | None:
        m, total = self.data.metrics.get(key), self.data.metrics.get("consultation_tickets")
        if not m or not total or not total.get("value") or m.get("value") is None:
            return None
        return m["value"] / total["value"] * 100

    # --- charts ----------------------------------------------------------------------------
    def breakdown_chart(self, key: str, field_name: str = "breakdown", kind: str = "bars", title: str = "") -> str:
        m = self.get(key)
        if not m:
            return ""
        items = list((m.get(field_name) or {}).items())
        labels, values = [fmt.term(k) for k, _ in items], [float(v or 0) for _, v in items]
        src = charts.donut(labels, values, title) if kind == "donut" else charts.bars(labels, values, title)
        return _img(src, title)

    def year_chart(self, names: list[tuple[str, str]], title: str, kind: str = "bar", key: str = "") -> str:
        """A chart over the report's year (January to the month) of series in ``data.series``."""
        if key and not self.get(key):
            return ""
        months = _year_months(self.data.period)
        series = {label: [self.data.series.get(name, {}).get(m) for m in months] for name, label in names}
        return _img(charts.monthly(months, series, title, kind=kind), title)

    def channel_trend_chart(self) -> str:
        months = [fmt.previous_period(self.data.period, i) for i in range(12, -1, -1)]
        trend = self.data.channel_trend
        series = {name: [by_month.get(m) for m in months] for name, by_month in trend.items()}
        return _img(charts.trend(months, series, "Konsultasi per kanal"), "tren")

    def channel_share_chart(self) -> str:
        present = [(label, self.get(k)) for k, label in CHANNEL_KEYS]
        present = [(label, m["value"]) for label, m in present if m and m.get("value") is not None]
        return _img(
            charts.donut([label for label, _ in present], [float(v) for _, v in present], "Komposisi kanal"),
            "komposisi",
        )

    def donut(self, pairs: list[tuple[str, Any]], title: str) -> str:
        return _img(charts.donut([p[0] for p in pairs], [float(p[1] or 0) for p in pairs], title), title)

    # --- lists -----------------------------------------------------------------------------
    def topics(self, field_name: str, other: bool) -> list[tuple[str, int, str]]:
        """(topic, consultations, description) of the month or the year, technical or other."""
        m = self.get("consultation_topics")
        if not m:
            return []
        desc = self.data.lists.get("topic_descriptions", {})
        return [
            (fmt.term(name), n, desc.get(name, ""))
            for name, n in (m.get(field_name) or {}).items()
            if n and name != "unclassified" and (name in OTHER_TOPICS) == other
        ]

    def complaints_by_month(self, kind: str) -> list[tuple[str, list[dict[str, Any]]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for r in self.data.lists.get("complaints_year", []):
            if r["kind"] == kind:
                out.setdefault(r["m"], []).append(r)
        return [(fmt.month_only(m), rows) for m, rows in sorted(out.items())]

    def top_topics(self, channel_key: str) -> list[tuple[str, int]]:
        return [(fmt.term(t), n) for t, n in self.data.lists.get("top_topics", {}).get(channel_key, [])]


def _img(src: str, alt: str) -> str:
    return f'<div class="chart"><img class="chart" src="{src}" alt="{escape(alt)}"></div>'


def _logo(path: str | os.PathLike | None = None) -> str | None:
    """The cover logo as a data URI: ``path``, else $DJPK_REPORT_LOGO, else reports/logo.(png|svg|jpg)."""
    candidates = [path] if path else []
    if os.environ.get(LOGO_ENV):
        candidates.append(os.environ[LOGO_ENV])
    candidates += [ROOT / "reports" / f"logo.{ext}" for ext in ("png", "svg", "jpg", "jpeg")]
    for c in candidates:
        p = Path(c)
        if p.is_file():
            mime = mimetypes.guess_type(p.name)[0] or "image/png"
            return f"data:{mime};base64," + base64.b64encode(p.read_bytes()).decode()
    return None


def _environment() -> jinja2.Environment:
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
        term=fmt.term,
        reason_id=fmt.reason_id,
        record_key_id=fmt.record_key_id,
        stream_id=fmt.stream_id,
        month_name=fmt.month_name,
    )
    return env


def render_html(data: ReportData) -> tuple[str, Figures]:
    figures = Figures(data)
    period = data.period
    html = (
        _environment()
        .get_template("laporan.html.j2")
        .render(
            d=data,
            f=figures,
            month=fmt.month_name(period),
            month_only=fmt.month_only(period),
            year=period[:4],
            prev_year_month=fmt.month_name(fmt.previous_period(period, 12)),
            channels=CHANNEL_KEYS,
            complaint_kinds=COMPLAINT_KINDS,
            source_labels=SOURCE_LABELS,
            ea=employee_advocacy_report.render(data.employee_advocacy, period[:4]),
        )
    )
    return html, figures


def _pdf_fonts() -> str:
    """DejaVu (shipped with matplotlib) covers every glyph the report uses; Helvetica does not."""
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return (
        "<style>"
        f"@font-face {{ font-family: DejaVu; src: url('{(fonts / 'DejaVuSans.ttf').as_uri()}'); }}"
        f"@font-face {{ font-family: DejaVu; font-weight: bold; src: url('{(fonts / 'DejaVuSans-Bold.ttf').as_uri()}'); }}"
        "body { font-family: DejaVu, sans-serif; }"
        "</style>"
    )


def render_pdf(html: str, path: Path) -> None:
    """The HTML as a printed A4 report through WeasyPrint (CSS paged media: page numbers, the
    table of contents' page references, no heading left alone at the bottom of a page)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    html = html.replace("</head>", _pdf_fonts() + "</head>", 1)
    HTML(string=html, base_url=str(TEMPLATES)).write_pdf(str(path))


def pdf_inputs_digest(html: str) -> str:
    """Everything the PDF is made of: the HTML (charts inlined), the fonts' CSS, the renderer's
    version and the template folder (images, CSS a template may link)."""
    import hashlib

    import weasyprint

    h = hashlib.sha256()
    for part in (html, _pdf_fonts(), weasyprint.__version__):
        h.update(part.encode())
        h.update(b"\0")
    for p in sorted(TEMPLATES.rglob("*")):
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def write_report(conn, period: str, out_dir: Path) -> tuple[Path, Path]:
    """The month's report as HTML and PDF in ``out_dir``/reports/<period>/.

    The PDF (most of the time) is rendered again only when what it is made of changed: a
    report whose figures, evaluation text, template and renderer are the same as the last
    rendering's (``.laporan.inputs`` holds their digest, with the generation stamp left
    out) is kept as it is, stamp included.
    """
    data = collect(conn, period)
    data.evaluasi_path = str(evaluasi.path_for(period))
    data.evaluasi = evaluasi.load(period)
    data.logo = _logo()
    html, _ = render_html(data)
    folder = Path(out_dir) / "reports" / period
    folder.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path, inputs = folder / "laporan.html", folder / "laporan.pdf", folder / ".laporan.inputs"
    digest = pdf_inputs_digest(html.replace(data.generated_at, "") if data.generated_at else html)
    if html_path.exists() and pdf_path.exists() and inputs.exists() and inputs.read_text() == digest:
        log.info("report %s: figures and template unchanged since the last rendering, kept", period)
        return html_path, pdf_path
    inputs.unlink(missing_ok=True)  # a rendering cut short never passes for a finished one
    html_path.write_text(html, encoding="utf-8")
    render_pdf(html, pdf_path)
    inputs.write_text(digest)
    return html_path, pdf_path
