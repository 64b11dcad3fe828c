"""Social media part of the simulated world: Instagram @ditjenpk, the Facebook Page
"DitjenPK Kemenkeu RI" and X @DitjenPK.

Generated month by month, deterministic by seed (every draw comes from a
``random.Random`` seeded with a string such as ``"2023/social/instagram/2023-12/feed"``),
with no clock reads and no global ``random``. The Graph API stand-in
(``simulators.meta``) and the X API v2 stand-in (``simulators.x``) serve this world.

What is in it, per platform and local (Asia/Jakarta) month:

* Instagram: feed media (``media_product_type`` FEED or REELS; the report's "feeds"
  are both: everything published to the profile grid), stories (STORY, visible
  through the API for 24 hours only), now and then an AD media (not content), the
  lifetime reach of every media, daily account reach and views, and the follower
  count at the end of every local day.
* Facebook: published Page posts with their lifetime unique media views
  (``post_total_media_view_unique``, the post's reach), daily Page insights and the
  follower count at the end of every local day.
* X: original posts and quotes (content), replies and reposts (not content), the
  follower count at the end of every local day and the daily rows of the X
  analytics export (profile visits, new follows, unfollows, ...).

Calibration (``CALIBRATION``): the published December 2023 report, plus a
December 2022 whose content counts average exactly 46 over the three platforms
(Instagram 32 feed + 18 stories = 50, X 44, Facebook 44: 138 / 3 = 46). Months
without a fixed figure are drawn from ``DEFAULT_RANGES`` with an RNG seeded by
(seed, platform, measure, month), so a month's figure does not depend on the range
generated. Follower counts are a step function of the local day: the value served
at any instant of a local day is that day's closing value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from simulators.scenario import world
from simulators.scenario.world import (
    LOCAL_TZ,
    UTC,
    TimePattern,
    boundary_timestamp,
    iter_months,
    local_month,
    local_timestamp,
    month_days,
    parse_date,
)

SOURCE = "social"

IG_USER_ID = "17841401930541267"
IG_USERNAME = "ditjenpk"
FB_PAGE_ID = "104785931205418"
FB_PAGE_NAME = "DitjenPK Kemenkeu RI"
X_USER_ID = "1197382040"
X_USERNAME = "DitjenPK"
X_NAME = "DJPK Kemenkeu RI"

# Fixed figures (local months). Reach totals are sums over the month's feed
# posts (Instagram) or posts (Facebook): 72037 / 27 = 2668.0; 143920 / 35 = 4112.
CALIBRATION: dict[str, dict[str, dict[str, int]]] = {
    "instagram": {
        "feed_posts": {"2022-12": 32, "2023-12": 27},
        "stories": {"2022-12": 18, "2023-12": 16},
        "reach_total": {"2023-12": 72037},
        "followers_end_of_month": {"2023-12": 116894},
    },
    "twitter": {
        "posts": {"2022-12": 44, "2023-12": 35},
        "followers_end_of_month": {"2023-12": 16718},
        "profile_visits": {"2023-12": 1663},
    },
    "facebook": {
        "posts": {"2022-12": 44, "2023-12": 35},
        "followers_end_of_month": {"2023-12": 13960},
        "reach_total": {"2023-12": 35 * 4112},
    },
}

# Inclusive ranges for months without a fixed figure. Follower figures are the
# month's net growth (the series is built backwards from the calibrated month).
DEFAULT_RANGES: dict[str, dict[str, tuple[int, int]]] = {
    "instagram": {
        "feed_posts": (20, 36),
        "stories": (8, 30),
        "reach_per_post": (1400, 4200),
        "follower_growth": (700, 2100),
        "reels_share_pct": (10, 30),
    },
    "twitter": {
        "posts": (26, 48),
        "replies": (1, 7),
        "reposts": (0, 4),
        "follower_growth": (25, 110),
        "profile_visits": (1100, 2600),
    },
    "facebook": {
        "posts": (26, 48),
        "reach_per_post": (2400, 6200),
        "follower_growth": (30, 120),
    },
}

# Not part of the range: counts before it begins (profile totals).
IG_MEDIA_BEFORE = 1874
X_TWEETS_BEFORE = 5261
IG_FOLLOWS = 187
X_FOLLOWING = 96
X_LISTED = 112

POST_PATTERN = TimePattern(weekend_weight=0.25, office_share=0.8)
STORY_PATTERN = TimePattern(weekend_weight=0.35, office_share=0.7)
TWITTER_EPOCH_MS = 1288834974657

CAPTIONS = [
    "Transfer ke Daerah (TKD) tahun anggaran {year}: simak alokasinya per daerah.",
    "Dana Alokasi Umum disalurkan tepat waktu untuk mendukung layanan publik di daerah.",
    "Sosialisasi PMK terbaru tentang pengelolaan Dana Bagi Hasil.",
    "Dering DJPK siap melayani konsultasi Anda di 150420 dan WhatsApp 0811-150420-7.",
    "Infografis: realisasi APBD per {month}.",
    "Kenali Dana Desa dan manfaatnya bagi pembangunan desa.",
    "Webinar Hubungan Keuangan Pusat dan Daerah, ikuti bersama kami!",
    "Pojok TKD: tanya jawab seputar Dana Alokasi Khusus.",
    "Selamat Hari Ibu! DJPK mengapresiasi peran ibu di seluruh Indonesia.",
    "UU HKPD: sinergi pendanaan pusat dan daerah untuk pemerataan.",
]


def _rng(seed: int, *parts: str) -> random.Random:
    return random.Random("/".join([str(seed), SOURCE, *parts]))


def monthly_figure(seed: int, platform: str, measure: str, month: str) -> int:
    """A fixed figure from ``CALIBRATION`` or a seeded draw from ``DEFAULT_RANGES``."""
    fixed = CALIBRATION.get(platform, {}).get(measure, {})
    if month in fixed:
        return fixed[month]
    low, high = DEFAULT_RANGES[platform][measure]
    return _rng(seed, "calibration", platform, measure, month).randint(low, high)


def split_total(rng: random.Random, total: int, n: int, spread: float = 0.45) -> list[int]:
    """``n`` positive integers summing exactly to ``total``, scattered around the mean."""
    if n <= 0:
        return []
    if total < n:
        raise ValueError(f"cannot split {total} into {n} positive parts")
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(n)]
    scale = (total - n) / sum(weights)
    raw = [w * scale for w in weights]
    parts = [1 + int(r) for r in raw]
    short = total - sum(parts)
    by_fraction = sorted(range(n), key=lambda i: (raw[i] - int(raw[i]), -i), reverse=True)
    for i in by_fraction[:short]:
        parts[i] += 1
    return parts


def format_graph_ts(dt: datetime) -> str:
    """Graph API timestamps: ``2023-12-04T02:02:02+0000`` (UTC)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def format_x_ts(dt: datetime) -> str:
    """X API v2 timestamps: ``2023-12-04T02:02:02.000Z`` (UTC)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def local_day(dt: datetime) -> date:
    return dt.astimezone(LOCAL_TZ).date()


def end_of_local_day(day: date) -> datetime:
    """The last second of a local day, as an aware UTC datetime."""
    return (datetime.combine(day + timedelta(days=1), time(0, 0), LOCAL_TZ) - timedelta(seconds=1)).astimezone(UTC)


# ------------------------------------------------------------------------- world


@dataclass
class SocialWorld:
    seed: int
    start: str
    end: str
    months: list[str]
    ig_media: list[dict[str, Any]] = field(default_factory=list)  # FEED, REELS, AD; newest last
    ig_stories: list[dict[str, Any]] = field(default_factory=list)
    ig_followers: dict[date, int] = field(default_factory=dict)  # closing value of each local day
    ig_daily: dict[date, dict[str, int]] = field(default_factory=dict)  # reach, views
    fb_posts: list[dict[str, Any]] = field(default_factory=list)
    fb_followers: dict[date, int] = field(default_factory=dict)
    fb_daily: dict[date, dict[str, int]] = field(default_factory=dict)  # page_media_view, ...
    x_tweets: list[dict[str, Any]] = field(default_factory=list)
    x_followers: dict[date, int] = field(default_factory=dict)
    x_daily: dict[date, dict[str, int]] = field(default_factory=dict)  # analytics export rows

    @property
    def first_day(self) -> date:
        return month_days(self.months[0])[0]

    @property
    def last_day(self) -> date:
        return month_days(self.months[-1])[-1]

    @property
    def default_now(self) -> datetime:
        """The end of the range's last local day: the stand-ins' default "now"."""
        return end_of_local_day(self.last_day)


FOLLOWERS_ANCHOR_MONTH = "2023-12"  # the calibrated month every follower series is built from


def _followers(seed: int, platform: str, months: list[str]) -> dict[date, int]:
    """Closing follower count of every local day of ``months``.

    Built from the calibrated month end (``FOLLOWERS_ANCHOR_MONTH``) backwards and
    forwards by each month's drawn net growth, so a day's value does not depend on
    the range generated; the last day of a month closes exactly on its month end.
    """
    anchor = FOLLOWERS_ANCHOR_MONTH
    span = list(iter_months(min(months[0], anchor) + "-01", _month_after(max(months[-1], anchor)) + "-01"))
    growth = {m: monthly_figure(seed, platform, "follower_growth", m) for m in span}
    ends = {anchor: CALIBRATION[platform]["followers_end_of_month"][anchor]}
    i = span.index(anchor)
    for j in range(i - 1, -1, -1):  # end(m) = end(m + 1) - growth(m + 1)
        ends[span[j]] = ends[span[j + 1]] - growth[span[j + 1]]
    for j in range(i + 1, len(span)):
        ends[span[j]] = ends[span[j - 1]] + growth[span[j]]
    series: dict[date, int] = {}
    for month in months:
        days = month_days(month)
        rng = _rng(seed, platform, month, "followers")
        previous_end = ends[month] - growth[month]
        delta = ends[month] - previous_end
        noise = max(1, abs(delta) // len(days))
        for k, day in enumerate(days, start=1):
            if k == len(days):
                series[day] = ends[month]
            else:
                series[day] = previous_end + round(delta * k / len(days)) + rng.randint(-noise, noise)
    return series


def _month_after(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + (m == 12):04d}-{m % 12 + 1:02d}"


def _timestamps(rng: random.Random, month: str, n: int, pattern: TimePattern, boundary: bool) -> list[datetime]:
    """``n`` distinct instants in the local month; with ``boundary`` one falls in the
    first hours of the 1st (still the previous month in UTC)."""
    out: set[datetime] = set()
    if boundary and n > 0:
        out.add(boundary_timestamp(rng, month))
    while len(out) < n:
        out.add(local_timestamp(rng, month, pattern))
    return sorted(out)


def _ig_month(seed: int, month: str, world: SocialWorld, first: bool) -> None:
    rng = _rng(seed, "instagram", month, "feed")
    n_feed = monthly_figure(seed, "instagram", "feed_posts", month)
    n_stories = monthly_figure(seed, "instagram", "stories", month)
    reels_pct = monthly_figure(seed, "instagram", "reels_share_pct", month)
    stamps = _timestamps(rng, month, n_feed, POST_PATTERN, boundary=not first)
    n_reels = round(n_feed * reels_pct / 100)
    reel_idx = set(rng.sample(range(n_feed), n_reels))
    fixed_reach = CALIBRATION["instagram"]["reach_total"].get(month)
    if fixed_reach is not None:
        reaches = split_total(rng, fixed_reach, n_feed, spread=0.5)
    else:
        low, high = DEFAULT_RANGES["instagram"]["reach_per_post"]
        reaches = [rng.randint(low, high) for _ in range(n_feed)]
    for i, ts in enumerate(stamps):
        reel = i in reel_idx
        media = {
            "id": f"179{int(ts.timestamp()):010d}{i:03d}",
            "caption": rng.choice(CAPTIONS).format(year=ts.year, month=month),
            "media_type": "VIDEO" if reel else rng.choice(["IMAGE", "IMAGE", "CAROUSEL_ALBUM"]),
            "media_product_type": "REELS" if reel else "FEED",
            "timestamp": format_graph_ts(ts),
            "permalink": f"https://www.instagram.com/{'reel' if reel else 'p'}/C{rng.randrange(16**9):09x}/",
            "username": IG_USERNAME,
            "comments_count": rng.randint(0, 60),
            "_reach": reaches[i],
            "_views": reaches[i] * rng.randint(13, 19) // 10,
            "_at": ts,
        }
        if rng.random() < 0.1:
            media["_likes_hidden"] = True  # like_count omitted, as the API does
        else:
            media["like_count"] = rng.randint(40, 900)
        world.ig_media.append(media)
    # An ad now and then: it is in /media but it is not published content.
    ad_rng = _rng(seed, "instagram", month, "ads")
    if ad_rng.random() < 0.35:
        ts = local_timestamp(ad_rng, month, POST_PATTERN)
        world.ig_media.append(
            {
                "id": f"178{int(ts.timestamp()):010d}{ad_rng.randrange(1000):03d}",
                "caption": "Iklan layanan masyarakat: Dering DJPK 150420.",
                "media_type": "IMAGE",
                "media_product_type": "AD",
                "timestamp": format_graph_ts(ts),
                "permalink": f"https://www.instagram.com/p/C{ad_rng.randrange(16**9):09x}/",
                "username": IG_USERNAME,
                "comments_count": 0,
                "like_count": ad_rng.randint(5, 50),
                "_reach": ad_rng.randint(500, 3000),
                "_views": ad_rng.randint(600, 4000),
                "_at": ts,
            }
        )
    srng = _rng(seed, "instagram", month, "stories")
    for i, ts in enumerate(_timestamps(srng, month, n_stories, STORY_PATTERN, boundary=False)):
        world.ig_stories.append(
            {
                "id": f"180{int(ts.timestamp()):010d}{i:03d}",
                "media_type": srng.choice(["IMAGE", "VIDEO"]),
                "media_product_type": "STORY",
                "timestamp": format_graph_ts(ts),
                "permalink": f"https://instagram.com/stories/{IG_USERNAME}/{srng.randrange(10**18)}",
                "username": IG_USERNAME,
                "_at": ts,
            }
        )
    drng = _rng(seed, "instagram", month, "daily")
    for day in month_days(month):
        reach = drng.randint(2500, 9000)
        world.ig_daily[day] = {"reach": reach, "views": reach * drng.randint(15, 25) // 10}


def _fb_month(seed: int, month: str, world: SocialWorld, first: bool) -> None:
    rng = _rng(seed, "facebook", month, "posts")
    n = monthly_figure(seed, "facebook", "posts", month)
    stamps = _timestamps(rng, month, n, POST_PATTERN, boundary=not first)
    fixed = CALIBRATION["facebook"]["reach_total"].get(month)
    if fixed is not None:
        reaches = split_total(rng, fixed, n, spread=0.5)
    else:
        low, high = DEFAULT_RANGES["facebook"]["reach_per_post"]
        reaches = [rng.randint(low, high) for _ in range(n)]
    for i, ts in enumerate(stamps):
        number = int(ts.timestamp()) * 10 + i % 10
        world.fb_posts.append(
            {
                "id": f"{FB_PAGE_ID}_{number}",
                "created_time": format_graph_ts(ts),
                "message": rng.choice(CAPTIONS).format(year=ts.year, month=month),
                "permalink_url": f"https://www.facebook.com/{FB_PAGE_ID}/posts/{number}",
                "status_type": rng.choice(
                    ["added_photos", "added_photos", "added_video", "shared_story", "mobile_status_update"]
                ),
                "_reach": reaches[i],
                "_views": reaches[i] * rng.randint(12, 18) // 10,
                "_at": ts,
            }
        )
    drng = _rng(seed, "facebook", month, "daily")
    for day in month_days(month):
        unique = drng.randint(3000, 12000)
        world.fb_daily[day] = {
            "page_media_view": unique * drng.randint(14, 22) // 10,
            "page_total_media_view_unique": unique,
        }


def _tweet_id(ts: datetime, seq: int) -> str:
    ms = int(ts.timestamp() * 1000) - TWITTER_EPOCH_MS
    return str((ms << 22) + (seq % 4096))


def _x_month(seed: int, month: str, world: SocialWorld, first: bool) -> None:
    rng = _rng(seed, "twitter", month, "posts")
    n_posts = monthly_figure(seed, "twitter", "posts", month)
    n_replies = monthly_figure(seed, "twitter", "replies", month)
    n_reposts = monthly_figure(seed, "twitter", "reposts", month)
    n_quotes = rng.randint(0, 2)
    kinds = ["post"] * (n_posts - n_quotes) + ["quote"] * n_quotes + ["reply"] * n_replies + ["repost"] * n_reposts
    rng.shuffle(kinds)
    stamps = _timestamps(rng, month, len(kinds), POST_PATTERN, boundary=not first)
    for i, (kind, ts) in enumerate(zip(kinds, stamps, strict=False)):
        tid = _tweet_id(ts, i)
        text = rng.choice(CAPTIONS).format(year=ts.year, month=month)
        tweet: dict[str, Any] = {
            "id": tid,
            "text": text,
            "created_at": format_x_ts(ts),
            "author_id": X_USER_ID,
            "conversation_id": tid,
            "lang": "in",
            "edit_history_tweet_ids": [tid],
            "public_metrics": {
                "retweet_count": rng.randint(0, 40),
                "reply_count": rng.randint(0, 15),
                "like_count": rng.randint(2, 150),
                "quote_count": rng.randint(0, 4),
                "bookmark_count": rng.randint(0, 10),
                "impression_count": rng.randint(400, 9000),
            },
            "_kind": kind,
            "_at": ts,
        }
        if kind == "reply":
            other = str(rng.randrange(10**18, 10**19))
            tweet["text"] = "@warga_" + str(rng.randrange(1000)) + " Terima kasih, silakan hubungi Dering DJPK 150420."
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": other}]
            tweet["conversation_id"] = other
            tweet["in_reply_to_user_id"] = str(rng.randrange(10**9, 10**10))
        elif kind == "repost":
            other = str(rng.randrange(10**18, 10**19))
            tweet["text"] = "RT @KemenkeuRI: " + text
            tweet["referenced_tweets"] = [{"type": "retweeted", "id": other}]
        elif kind == "quote":
            tweet["referenced_tweets"] = [{"type": "quoted", "id": str(rng.randrange(10**18, 10**19))}]
        world.x_tweets.append(tweet)
    visits_total = monthly_figure(seed, "twitter", "profile_visits", month)
    days = month_days(month)
    vrng = _rng(seed, "twitter", month, "analytics")
    visits = split_total(vrng, visits_total, len(days), spread=0.6)
    content_by_day: dict[date, int] = {}
    for t in world.x_tweets:
        if t["_kind"] in ("post", "quote") and local_month(t["_at"]) == month:
            content_by_day[local_day(t["_at"])] = content_by_day.get(local_day(t["_at"]), 0) + 1
    for day, v in zip(days, visits, strict=False):
        impressions = vrng.randint(2500, 16000)
        world.x_daily[day] = {
            "Impressions": impressions,
            "Likes": vrng.randint(10, 200),
            "Engagements": vrng.randint(40, 600),
            "Bookmarks": vrng.randint(0, 12),
            "Shares": vrng.randint(0, 10),
            "Replies": vrng.randint(0, 20),
            "Reposts": vrng.randint(0, 40),
            "Profile visits": v,
            "Create Post": content_by_day.get(day, 0),
            "Video views": vrng.randint(0, 900),
            "Media views": vrng.randint(100, 3000),
        }


def _x_follow_flows(world: SocialWorld, seed: int) -> None:
    """New follows / unfollows per day, consistent with the daily follower series."""
    days = sorted(world.x_followers)
    for i, day in enumerate(days):
        before = world.x_followers[days[i - 1]] if i else world.x_followers[day]
        net = world.x_followers[day] - before
        unfollows = _rng(seed, "twitter", str(day), "unfollows").randint(0, 4)
        row = world.x_daily.setdefault(day, {})
        row["New follows"] = max(0, net) + unfollows
        row["Unfollows"] = unfollows + max(0, -net)


@lru_cache(maxsize=8)
def _generate(seed: int, start: str, end: str) -> SocialWorld:
    months = list(iter_months(start, end))
    if not months:
        raise ValueError(f"empty range {start} .. {end}")
    world = SocialWorld(seed, start, end, months)
    for i, month in enumerate(months):
        _ig_month(seed, month, world, first=i == 0)
        _fb_month(seed, month, world, first=i == 0)
        _x_month(seed, month, world, first=i == 0)
    world.ig_media.sort(key=lambda m: (m["_at"], m["id"]))
    world.ig_stories.sort(key=lambda m: (m["_at"], m["id"]))
    world.fb_posts.sort(key=lambda m: (m["_at"], m["id"]))
    world.x_tweets.sort(key=lambda t: (t["_at"], t["id"]))
    world.ig_followers = _followers(seed, "instagram", months)
    world.fb_followers = _followers(seed, "facebook", months)
    world.x_followers = _followers(seed, "twitter", months)
    _x_follow_flows(world, seed)
    return world


def generate_social_world(
    seed: int = world.DEFAULT_SEED, start: str | date = world.DEFAULT_START, end: str | date = world.DEFAULT_END
) -> SocialWorld:
    """The social media world (cached and shared: treat as read-only)."""
    return _generate(seed, str(parse_date(start)), str(parse_date(end)))


def followers_at(series: dict[date, int], at: datetime) -> int | None:
    """The follower count served at instant ``at`` (the closing value of its local day)."""
    day = local_day(at)
    if day in series:
        return series[day]
    days = sorted(series)
    if not days or day < days[0]:
        return None
    return series[days[-1]]


def expected_figures(
    seed: int = world.DEFAULT_SEED, start: str | date = world.DEFAULT_START, end: str | date = world.DEFAULT_END
) -> dict[str, dict[str, Any]]:
    """Every monthly figure of the world, by local month, computed from the items.

    ``{"2023-12": {"instagram_feed_posts": 27, "instagram_stories": 16, ...}}``.
    """
    w = generate_social_world(seed, start, end)
    out: dict[str, dict[str, Any]] = {m: {} for m in w.months}
    for m in w.months:
        feed = [x for x in w.ig_media if x["media_product_type"] in ("FEED", "REELS") and local_month(x["_at"]) == m]
        stories = [x for x in w.ig_stories if local_month(x["_at"]) == m]
        fb = [p for p in w.fb_posts if local_month(p["_at"]) == m]
        tw = [t for t in w.x_tweets if t["_kind"] in ("post", "quote") and local_month(t["_at"]) == m]
        last = month_days(m)[-1]
        f = out[m]
        f["instagram_feed_posts"] = len(feed)
        f["instagram_reels"] = sum(1 for x in feed if x["media_product_type"] == "REELS")
        f["instagram_stories"] = len(stories)
        f["instagram_reach_total"] = sum(x["_reach"] for x in feed)
        f["instagram_followers_end_of_month"] = w.ig_followers[last]
        f["facebook_posts"] = len(fb)
        f["facebook_reach_total"] = sum(p["_reach"] for p in fb)
        f["facebook_followers_end_of_month"] = w.fb_followers[last]
        f["twitter_posts"] = len(tw)
        f["twitter_followers_end_of_month"] = w.x_followers[last]
        f["twitter_profile_visits"] = sum(w.x_daily[d]["Profile visits"] for d in month_days(m))
        f["social_media_content"] = {"instagram": len(feed) + len(stories), "twitter": len(tw), "facebook": len(fb)}
    return out
