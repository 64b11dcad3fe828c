"""Website part of the simulated world: GA4 traffic and the CMS's publications.

Two sources, one site (the DJPK website):

* **GA4** (``generate_ga4_world``): per month the exact unique users (the figure
  the report prints), per day users, sessions and page views, and per month the
  page views of every page (title, path). Users are NOT additive: the daily
  users of a month sum to 1.3-1.6 times the month's unique users (returning
  visitors), so a pipeline that sums days over-counts.
* **CMS** (``generate_cms_world``): WordPress categories and published posts, in
  the WordPress REST API shape (``date`` in site time, ``date_gmt``,
  ``modified_gmt``, ``title.rendered`` with WordPress's HTML entities). The
  truth of each post (its plain title and report category) is kept in a private
  ``_sim`` dict that the stand-in never serves.

Months are Asia/Jakarta months (the GA4 property's time zone and the site's).
Deterministic by seed: every draw comes from ``random.Random(f"{seed}/<src>/...")``;
no clock, no global ``random``. The calibration figures of the December 2023
report live here (``VISITORS``, ``PUBLICATIONS``, ``DECEMBER_2023_POSTS``, ...).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from simulators.scenario import world
from simulators.scenario.world import LOCAL_TZ, UTC, iter_months, month_days, parse_date

PROPERTY_ID = "312345678"
SITE_URL = "https://djpk.kemenkeu.go.id"

# ---------------------------------------------------------------- calibration

# Exact monthly unique users (GA4 activeUsers over a one-month date range).
# The report prints "sekitar 84.000" and "107.000" (rounded) and 93.598 (exact).
VISITORS: dict[str, int] = {"2022-12": 93_598, "2023-11": 107_164, "2023-12": 84_217}
VISITORS_RANGE = (78_000, 125_000)  # other months
# The three most viewed pages (by page title) of a month, in order.
TOP_PAGES: dict[str, list[str]] = {"2023-12": ["Portal Data", "Halaman Utama", "Rincian DD 2024"]}

# Published posts in report categories, by local month of publication.
PUBLICATIONS: dict[str, int] = {"2022-12": 8, "2023-11": 10, "2023-12": 7}
PUBLICATIONS_YTD: dict[int, int] = {2023: 118}  # calendar-year totals the months must add up to
PUBLICATIONS_RANGE = (6, 14)  # other months

# The December 2023 register, exactly as published: (local date, report category, title).
DECEMBER_2023_POSTS: list[tuple[str, str, str]] = [
    ("2023-12-04", "Berita", "Pemberitahuan Informasi Tidak Benar (Hoax)"),
    ("2023-12-08", "Pemberitahuan ke Daerah", "S-71/MK.7/2023 tentang Permintaan Penyampaian APBD 2024"),
    ("2023-12-08", "Pemberitahuan ke Daerah", "S-161/PK/2023 tentang Himbauan Percepatan Penyaluran DAK Fisik TA 2023"),
    ("2023-12-21", "Peraturan", "PMK Nomor 130 Tahun 2023"),
    ("2023-12-21", "Peraturan", "PMK Nomor 125 Tahun 2023"),
    ("2023-12-28", "Peraturan", "PMK 145 dan PMK 146 Tahun 2023 (Dana Desa)"),
    ("2023-12-29", "Majalah", "Media Defis Edisi XXXVI"),
]

# ------------------------------------------------------------------ CMS shape

# WordPress categories: (id, name, slug, parent id, report category or None).
# None = not a report category (WordPress's default, an umbrella, a front-page flag).
CATEGORIES: list[tuple[int, str, str, int, str | None]] = [
    (1, "Uncategorized", "uncategorized", 0, None),
    (3, "Berita", "berita", 0, "Berita"),
    (4, "Publikasi", "publikasi", 0, None),
    (5, "Peraturan", "peraturan", 4, "Peraturan"),
    (6, "Pemberitahuan ke Daerah", "pemberitahuan-ke-daerah", 4, "Pemberitahuan ke Daerah"),
    (7, "Majalah Media Defis", "majalah", 4, "Majalah"),
    (8, "Laporan", "laporan", 4, "Laporan"),
    (9, "Video Tutorial", "video-tutorial", 4, "Video"),
    (10, "Data & Statistik", "data", 4, "Data"),
    (11, "Headline", "headline", 0, None),
]
CATEGORY_ID = {report: cid for cid, _, _, _, report in CATEGORIES if report}
UMBRELLA_ID, HEADLINE_ID, UNCATEGORIZED_ID = 4, 11, 1
REPORT_CATEGORIES = ["Berita", "Pemberitahuan ke Daerah", "Peraturan", "Majalah", "Laporan", "Video", "Data"]
CATEGORY_WEIGHTS = [30, 20, 20, 4, 9, 7, 10]
POST_ID_START = 4101


# ======================================================================= GA4


@dataclass(frozen=True)
class DayTraffic:
    day: date
    active_users: int
    total_users: int
    sessions: int
    page_views: int


@dataclass(frozen=True)
class PageTraffic:
    title: str
    path: str
    views: int
    users: int


@dataclass
class MonthTraffic:
    month: str
    active_users: int  # exact unique users of the month
    total_users: int
    days: list[DayTraffic]
    pages: list[PageTraffic]

    @property
    def page_views(self) -> int:
        return sum(d.page_views for d in self.days)

    @property
    def summed_daily_users(self) -> int:
        return sum(d.active_users for d in self.days)


@dataclass
class Ga4World:
    property_id: str
    time_zone: str
    months: dict[str, MonthTraffic]

    def month(self, month: str) -> MonthTraffic | None:
        return self.months.get(month)

    def day(self, d: date) -> DayTraffic | None:
        m = self.months.get(d.strftime("%Y-%m"))
        return m.days[d.day - 1] if m else None


# Pages of the site: (title, path, weight). Weights are relative page-view shares.
_HEAD_PAGES: list[tuple[str, str, float]] = [
    ("Portal Data", "/portal-data", 14.0),
    ("Halaman Utama", "/", 8.5),
    ("Halaman Utama", "/index.php", 4.0),
    ("Peraturan", "/peraturan", 5.0),
    ("Data APBD", "/data-apbd", 4.5),
    ("SIKD", "/sikd", 4.0),
    ("Transfer ke Daerah", "/tkd", 3.5),
    ("Berita", "/berita", 3.0),
    ("Dana Desa", "/dana-desa", 3.0),
    ("Profil DJPK", "/profil", 1.5),
    ("Media Defis", "/media-defis", 1.2),
    ("Kontak", "/kontak", 1.0),
    ("Pemberitahuan ke Daerah", "/pemberitahuan", 2.5),
    ("(not set)", "/wp-content/uploads/lampiran.pdf", 1.5),
]
# Pages of the next year's allocations appear in the month they are published.
_SEASONAL_PAGES: dict[str, list[tuple[str, str, float]]] = {
    "2023-12": [
        ("Rincian DD 2024", "/rincian-dd-2024", 10.5),
        ("Rincian DAU 2024", "/rincian-dau-2024", 5.5),
        ("Rincian TKD 2024", "/rincian-tkd-2024", 4.0),
    ],
    "2022-12": [("Rincian DD 2023", "/rincian-dd-2023", 8.0), ("Rincian DAU 2023", "/rincian-dau-2023", 5.0)],
}
_TAIL_PAGES = 48  # article pages with small shares: most end up in GA4's "(other)" row


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to ``weights`` that sum exactly to ``total`` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))[: total - sum(out)]:
        out[i] += 1
    return out


def _month_users(seed: int, month: str) -> int:
    if month in VISITORS:
        return VISITORS[month]
    return random.Random(f"{seed}/ga4/{month}/users").randint(*VISITORS_RANGE)


def _ga4_month(seed: int, month: str) -> MonthTraffic:
    rng = random.Random(f"{seed}/ga4/{month}/traffic")
    active = _month_users(seed, month)
    total = round(active * rng.uniform(1.008, 1.025))
    # Returning visitors: the days' users add up to more than the month's unique users.
    returning = rng.uniform(1.32, 1.58)
    days = month_days(month)
    weights = []
    for d in days:
        w = 1.0 if d.weekday() < 5 else 0.45
        if (d.month, d.day) in ((12, 25), (1, 1)):
            w = 0.3
        weights.append(w * rng.uniform(0.85, 1.15))
    daily_active = _allocate(round(active * returning), weights)
    day_rows = []
    for d, a in zip(days, daily_active, strict=False):
        sessions = round(a * rng.uniform(1.15, 1.35))
        day_rows.append(
            DayTraffic(d, a, a + round(a * rng.uniform(0.004, 0.02)), sessions, round(sessions * rng.uniform(2.1, 2.8)))
        )
    views = sum(d.page_views for d in day_rows)

    prng = random.Random(f"{seed}/ga4/{month}/pages")
    fixed = month in TOP_PAGES
    pages: list[tuple[str, str, float]] = []
    for title, path, w in _HEAD_PAGES + _SEASONAL_PAGES.get(month, []):
        if fixed:
            # the calibrated top pages keep their weights; the rest stay below them
            pages.append((title, path, w if title in TOP_PAGES[month] else min(w * prng.uniform(0.8, 1.1), 5.0)))
        else:
            pages.append((title, path, w * prng.uniform(0.75, 1.3)))
    for i in range(_TAIL_PAGES):
        pages.append((f"Artikel {i + 1:02d}", f"/berita/artikel-{i + 1:02d}", prng.uniform(0.15, 0.45)))
    page_views = _allocate(views, [w for _, _, w in pages])
    page_rows = [
        PageTraffic(t, p, v, max(1, round(v / prng.uniform(1.6, 2.6))) if v else 0)
        for (t, p, _), v in zip(pages, page_views, strict=False)
    ]
    mt = MonthTraffic(month, active, total, day_rows, page_rows)
    if fixed:
        got = top_titles(mt, len(TOP_PAGES[month]))
        assert got == TOP_PAGES[month], (month, got)
    return mt


def top_titles(mt: MonthTraffic, n: int = 3) -> list[str]:
    """The ``n`` most viewed page titles of a month (paths of one title added up)."""
    by_title: dict[str, int] = {}
    for p in mt.pages:
        if p.title not in ("(not set)", "(other)"):
            by_title[p.title] = by_title.get(p.title, 0) + p.views
    return [t for t, _ in sorted(by_title.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


@lru_cache(maxsize=8)
def generate_ga4_world(
    seed: int = world.DEFAULT_SEED,
    start: str = world.DEFAULT_START,
    end: str = world.DEFAULT_END,
    property_id: str = PROPERTY_ID,
) -> Ga4World:
    """The GA4 property's data for the months of [start, end) (cached: treat as read-only)."""
    months = {m: _ga4_month(seed, m) for m in iter_months(str(parse_date(start)), str(parse_date(end)))}
    return Ga4World(property_id, "Asia/Jakarta", months)


# ======================================================================== CMS


@dataclass
class CmsWorld:
    categories: list[dict[str, Any]]
    posts: list[dict[str, Any]]  # every post, any status, oldest first; ``_sim`` is private
    site_url: str = SITE_URL

    def published(self) -> list[dict[str, Any]]:
        return [p for p in self.posts if p["status"] == "publish"]


def _monthly_publications(seed: int, month: str) -> int:
    if month in PUBLICATIONS:
        return PUBLICATIONS[month]
    year = int(month[:4])
    if year in PUBLICATIONS_YTD:
        return _year_partition(seed, year)[month]
    return random.Random(f"{seed}/cms/{month}/count").randint(*PUBLICATIONS_RANGE)


@lru_cache(maxsize=16)
def _year_partition(seed: int, year: int) -> dict[str, int]:
    """Counts for the year's months without a fixed figure, adding up to the calibrated total."""
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    free = [m for m in months if m not in PUBLICATIONS]
    left = PUBLICATIONS_YTD[year] - sum(PUBLICATIONS[m] for m in months if m in PUBLICATIONS)
    rng = random.Random(f"{seed}/cms/{year}/partition")
    low, high = PUBLICATIONS_RANGE
    if not low * len(free) <= left <= high * len(free):
        raise ValueError(f"cannot split {left} publications over {len(free)} months within {PUBLICATIONS_RANGE}")
    counts = {m: rng.randint(low, high) for m in free}
    while sum(counts.values()) != left:
        m = rng.choice(free)
        step = 1 if sum(counts.values()) < left else -1
        if low <= counts[m] + step <= high:
            counts[m] += step
    return counts


_ROMAN = ["XXX", "XXXI", "XXXII", "XXXIII", "XXXIV", "XXXV"]


def _title(rng: random.Random, category: str, month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    bulan = world.BULAN[m - 1]
    if category == "Peraturan":
        return rng.choice(
            [
                f"PMK Nomor {rng.randint(10, 120)} Tahun {y}",
                f"Peraturan Dirjen Perimbangan Keuangan Nomor PER-{rng.randint(1, 20)}/PK/{y}",
                f"KMK Nomor {rng.randint(100, 400)}/KMK.07/{y} tentang Rincian Alokasi “Dana Desa”",
            ]
        )
    if category == "Pemberitahuan ke Daerah":
        subject = rng.choice(
            [
                "Penyampaian Laporan Realisasi APBD",
                "Batas Waktu Penyampaian Perda APBD",
                "Rekonsiliasi Data DAK Fisik",
                "Penyaluran DBH & DAU Tahap II",
                "Pemutakhiran Data SIKD",
                "Penyampaian Informasi Keuangan Daerah",
            ]
        )
        return f"S-{rng.randint(1, 160)}/PK/{y} tentang {subject}"
    if category == "Berita":
        return rng.choice(
            [
                f"Rapat Koordinasi Transfer ke Daerah {bulan} {y}",
                f"DJPK Gelar Sosialisasi Kebijakan TKD – {bulan} {y}",
                "Kunjungan Kerja ke Pemda: “Sinergi Fiskal Pusat & Daerah”",
                f"Workshop Pengelolaan Keuangan Daerah {bulan} {y}",
                f"Penghargaan Pemda Terbaik dalam Penyampaian Data {y}",
            ]
        )
    if category == "Majalah":
        return f"Media Defis Edisi {_ROMAN[min(n + (m - 1) // 3, len(_ROMAN) - 1)]}"
    if category == "Laporan":
        return rng.choice(
            [
                f"Laporan Kinerja DJPK Tahun {y - 1}",
                f"Laporan Keuangan DJPK Semester I – {y}",
                f"Laporan Tahunan DJPK {y - 1}",
                f"Laporan Survei Kepuasan Layanan {bulan} {y}",
            ]
        )
    if category == "Video":
        return rng.choice(
            [
                "Video Tutorial Aplikasi SIKD",
                "Video Tutorial Pelaporan DAK Fisik",
                "Tutorial OM-SPAN TKD: Langkah demi Langkah",
                "Video Profil DJPK",
            ]
        )
    return rng.choice(
        [
            f"Data APBD TA {y}",
            f"Data Realisasi TKD s.d. {bulan} {y}",
            f"Data Dana Desa per Desa TA {y}",
            f"Statistik Keuangan Daerah & Desa {y}",
        ]
    )


def wp_rendered(plain: str) -> str:
    """``title.rendered`` as WordPress serves it (wptexturize + esc_html entities)."""
    out = plain.replace("&", "&#038;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        out.replace(" – ", " &#8211; ")
        .replace("–", "&#8211;")
        .replace("“", "&#8220;")
        .replace("”", "&#8221;")
        .replace("’", "&#8217;")
    )


def _slug(plain: str) -> str:
    s = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:80]


def _wp_ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S")


def _office_time(rng: random.Random, day: date) -> datetime:
    local = datetime.combine(day, time(0, 0), LOCAL_TZ) + timedelta(seconds=rng.randrange(8 * 3600, 17 * 3600))
    return local


def _workdays(month: str) -> list[date]:
    return [d for d in month_days(month) if d.weekday() < 5]


@lru_cache(maxsize=8)
def generate_cms_world(
    seed: int = world.DEFAULT_SEED,
    start: str = world.DEFAULT_START,
    end: str = world.DEFAULT_END,
    site_url: str = SITE_URL,
) -> CmsWorld:
    """Categories and posts of the site (cached: treat as read-only).

    Mess that the pipeline must get right: posts published in the first hours of
    a local month (still the previous month in UTC), posts in several categories
    (a report category plus "Publikasi"/"Headline", or two report categories),
    titles with WordPress's HTML entities, WordPress's own "Hello world!" post
    (Uncategorized, not a publication), drafts (never served to the public).
    """
    plans: list[tuple[datetime, str, str, list[int]]] = []  # (local published, category, plain title, extra cats)
    months = list(iter_months(str(parse_date(start)), str(parse_date(end))))
    for month in months:
        rng = random.Random(f"{seed}/cms/{month}/posts")
        if month == "2023-12":
            for i, (day, category, title) in enumerate(DECEMBER_2023_POSTS):
                local = _office_time(rng, date.fromisoformat(day))
                extra = {0: [HEADLINE_ID], 5: [UMBRELLA_ID, CATEGORY_ID["Berita"]]}.get(i, [UMBRELLA_ID])
                plans.append((local, category, title, extra if category != "Berita" else [HEADLINE_ID]))
            continue
        n = _monthly_publications(seed, month)
        seen: dict[str, int] = {}
        for k in range(n):
            category = rng.choices(REPORT_CATEGORIES, CATEGORY_WEIGHTS)[0]
            if k == 0 and month in ("2023-11", "2023-01", "2022-12"):
                # the boundary post: first local hours of the month, previous month in UTC
                first = month_days(month)[0]
                local = datetime.combine(first, time(0, 0), LOCAL_TZ) + timedelta(minutes=rng.randrange(15, 6 * 60))
                category = "Pemberitahuan ke Daerah" if month == "2023-11" else "Berita"
            else:
                local = _office_time(rng, rng.choice(_workdays(month)))
            title = _title(rng, category, month, seen.get(category, 0))
            seen[category] = seen.get(category, 0) + 1
            extra: list[int] = []
            if category != "Berita":
                extra.append(UMBRELLA_ID)
            if rng.random() < 0.12:
                extra.append(HEADLINE_ID)
            if category == "Data" and rng.random() < 0.5:
                extra.append(CATEGORY_ID["Berita"])  # two report categories: the rule picks one
            plans.append((local, category, title, extra))

    plans.sort(key=lambda p: p[0])
    posts: list[dict[str, Any]] = []
    hello = datetime(2019, 5, 2, 10, 12, 44, tzinfo=LOCAL_TZ)
    posts.append(
        _post(
            random.Random(f"{seed}/cms/hello"), 1, hello, "Hello world!", [UNCATEGORIZED_ID], None, site_url, "publish"
        )
    )
    for i, (local, category, title, extra) in enumerate(plans):
        prng = random.Random(f"{seed}/cms/post/{i}")
        cats = [CATEGORY_ID[category]] + [c for c in extra if c != CATEGORY_ID[category]]
        prng.shuffle(cats)  # WordPress lists category ids in no meaningful order
        posts.append(_post(prng, POST_ID_START + i * 3, local, title, cats, category, site_url, "publish"))
    # Drafts: written, never published; the public API does not serve them.
    for month in months:
        drng = random.Random(f"{seed}/cms/{month}/drafts")
        if drng.random() < 0.5:
            local = _office_time(drng, drng.choice(_workdays(month)))
            posts.append(
                _post(
                    drng,
                    POST_ID_START + len(plans) * 3 + len(posts),
                    local,
                    f"Draft: {_title(drng, 'Peraturan', month, 0)}",
                    [CATEGORY_ID["Peraturan"]],
                    "Peraturan",
                    site_url,
                    "draft",
                )
            )
    posts.sort(key=lambda p: (p["date_gmt"], p["id"]))

    counts: dict[int, int] = {}
    for p in posts:
        if p["status"] == "publish":
            for c in p["categories"]:
                counts[c] = counts.get(c, 0) + 1
    categories = [
        {
            "id": cid,
            "count": counts.get(cid, 0),
            "description": "",
            "link": f"{site_url}/category/{slug}/",
            "name": name.replace("&", "&amp;"),
            "slug": slug,
            "taxonomy": "category",
            "parent": parent,
            "meta": [],
        }
        for cid, name, slug, parent, _ in CATEGORIES
    ]
    return CmsWorld(categories, posts, site_url)


def _post(
    rng: random.Random,
    post_id: int,
    local: datetime,
    title: str,
    categories: list[int],
    report_category: str | None,
    site_url: str,
    status: str,
) -> dict[str, Any]:
    modified = local + (
        timedelta(seconds=rng.randrange(60, 3600))
        if rng.random() < 0.7
        else timedelta(days=rng.randint(1, 9), seconds=rng.randrange(0, 3600))
    )
    slug = _slug(title) or str(post_id)
    return {
        "id": post_id,
        "date": _wp_ts(local.astimezone(LOCAL_TZ)),
        "date_gmt": _wp_ts(local.astimezone(UTC)),
        "guid": {"rendered": f"{site_url}/?p={post_id}"},
        "modified": _wp_ts(modified.astimezone(LOCAL_TZ)),
        "modified_gmt": _wp_ts(modified.astimezone(UTC)),
        "slug": slug,
        "status": status,
        "type": "post",
        "link": f"{site_url}/{local:%Y/%m}/{slug}/",
        "title": {"rendered": wp_rendered(title)},
        "content": {"rendered": f"<p>{wp_rendered(title)}.</p>\n", "protected": False},
        "excerpt": {"rendered": f"<p>{wp_rendered(title)}</p>\n", "protected": False},
        "author": 2,
        "featured_media": 0,
        "comment_status": "closed",
        "ping_status": "closed",
        "sticky": False,
        "template": "",
        "format": "standard",
        "meta": [],
        "categories": categories,
        "tags": [],
        "_sim": {"title": title, "report_category": report_category},
    }


def publications_by_month(world: CmsWorld) -> dict[str, dict[str, int]]:
    """Published posts in a report category, by local month and report category (the truth)."""
    out: dict[str, dict[str, int]] = {}
    for p in world.published():
        cat = p["_sim"]["report_category"]
        if cat is None:
            continue
        month = datetime.fromisoformat(p["date_gmt"]).replace(tzinfo=UTC).astimezone(LOCAL_TZ).strftime("%Y-%m")
        out.setdefault(month, {}).setdefault(cat, 0)
        out[month][cat] += 1
    return out


__all__ = [
    "CATEGORIES",
    "DECEMBER_2023_POSTS",
    "PROPERTY_ID",
    "PUBLICATIONS",
    "PUBLICATIONS_YTD",
    "REPORT_CATEGORIES",
    "TOP_PAGES",
    "VISITORS",
    "CmsWorld",
    "Ga4World",
    "MonthTraffic",
    "generate_cms_world",
    "generate_ga4_world",
    "publications_by_month",
    "top_titles",
    "wp_rendered",
]
