"""summary.json's ``employee_advocacy``: the programme's editions of the report's year.

Read from marts.mart_employee_advocacy_editions, _edition_units and _quarters (as
bi_reader). Shape::

    {"year": 2023,
     "editions": [{"index": 1, "edition_id": ..., "title": ..., "date": "2023-01-16", "quarter": "2023-Q1",
                   "target": 2801, "target_status": "set", "realisasi_pegawai": 2120,
                   "pct_of_target": 75.69, "pct_of_all_employees": 2.69, "all_employees": 78754,
                   "activations_total": 2383, "activations": {"konten_tersedia": ..., ...},
                   "activation_pcts": {...}, "social_media_total": 2550, "platforms": {"instagram": ..., ...},
                   "by_ue1": [{"ue1": "DJP", "target": ..., "headcount": ..., "realisasi_pegawai": ..., ...}]}, ...],
     "quarters": [{"quarter": "2023-Q1", "editions": 6, "mean_realisasi_pegawai": ..., "mean_target": ...,
                   "pct_of_target": ..., "mean_pct_of_target": ..., "participating_employees": ...}, ...],
     "year_total": {...}}

Editions are those of the month's year published by the month's end, in the order
of their dates (``index`` 1 = the year's first edition). Percentages: 2 decimals,
rounded half-up in the marts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

TYPES = ("konten_tersedia", "like_comment_share", "kreasi_konten_mandiri")
PLATFORMS = ("instagram", "facebook", "twitter", "whatsapp", "linkedin", "tiktok", "youtube")


def _n(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and v.as_tuple().exponent >= 0 else float(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _rows(conn, query: str, params: tuple) -> list[dict[str, Any]]:
    cur = conn.execute(query, params)
    names = [d.name for d in cur.description]
    return [{k: _n(v) for k, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def _exists(conn, relation: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (relation,)).fetchone()[0]


def editions_summary(conn, year: int, until: dt.date | None = None) -> dict[str, Any]:
    """The editions of ``year`` published by ``until`` (default: the year's end)."""
    until = until or dt.date(year, 12, 31)
    if not _exists(conn, "marts.mart_employee_advocacy_editions"):
        return {"year": year, "editions": [], "quarters": []}
    eds = _rows(
        conn,
        "select * from marts.mart_employee_advocacy_editions "
        "where year = %s and publish_date <= %s order by publish_date, edition_id",
        (year, until),
    )
    ue1 = _rows(
        conn,
        "select * from marts.mart_employee_advocacy_edition_units "
        "where year = %s and publish_date <= %s order by edition_id, ue1",
        (year, until),
    )
    by_edition: dict[str, list[dict]] = {}
    for r in ue1:
        by_edition.setdefault(r["edition_id"], []).append(
            {
                "ue1": r["ue1"],
                "target": r["target_employees"],
                "headcount": r["headcount"],
                "realisasi_pegawai": r["participating_employees"],
                "pct_of_target": r["pct_of_target"],
                "pct_of_headcount": r["pct_of_headcount"],
                "activations_total": r["activations_total"],
                "activations": {t: r[t] for t in TYPES},
                "activation_pcts": {t: r[f"pct_{t}"] for t in TYPES},
                "social_media_total": r["social_media_total"],
                "platforms": {p: r[p] for p in PLATFORMS},
            }
        )
    editions = []
    for i, e in enumerate(eds, start=1):
        editions.append(
            {
                "index": i,
                "edition_id": e["edition_id"],
                "title": e["title"],
                "date": e["publish_date"],
                "quarter": e["quarter"],
                "target": e["target_employees"],
                "target_status": e["target_status"],
                "realisasi_pegawai": e["participating_employees"],
                "pct_of_target": e["pct_of_target"],
                "pct_of_all_employees": e["pct_of_all_employees"],
                "all_employees": e["all_employees"],
                "activations_total": e["activations_total"],
                "activations": {t: e[t] for t in TYPES},
                "activation_pcts": {t: e[f"pct_{t}"] for t in TYPES},
                "social_media_total": e["social_media_total"],
                "platforms": {p: e[p] for p in PLATFORMS},
                "by_ue1": by_edition.get(e["edition_id"], []),
            }
        )
    # quarter and year figures over the editions listed (so a month's summary is as of that month)
    quarters = []
    for q in sorted({e["quarter"] for e in editions}):
        of = [e for e in editions if e["quarter"] == q]
        quarters.append(_period(q, of))
    out = {"year": year, "editions": editions, "quarters": quarters}
    if editions:
        out["year_total"] = _period(str(year), editions)
        if until >= dt.date(year, 12, 31) and _exists(conn, "marts.mart_employee_advocacy_quarters"):
            distinct = dict(
                conn.execute(
                    "select period, participating_employees from marts.mart_employee_advocacy_quarters where year = %s",
                    (year,),
                ).fetchall()
            )
            for q in quarters:
                q["participating_employees"] = _n(distinct.get(q["quarter"]))
            out["year_total"]["participating_employees"] = _n(distinct.get(str(year)))
    return out


def _half_up(x: float, places: int = 2) -> float:
    return float(Decimal(str(x)).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP"))


def _period(name: str, editions: list[dict]) -> dict[str, Any]:
    n = len(editions)
    mean = sum(e["realisasi_pegawai"] for e in editions) / n
    targets = [e["target"] for e in editions if e["target"] is not None]
    pcts = [e["pct_of_target"] for e in editions if e["pct_of_target"] is not None]
    mean_target = sum(targets) / len(targets) if targets else None
    return {
        "quarter": name,
        "editions": n,
        "mean_realisasi_pegawai": _half_up(mean),
        "mean_target": _half_up(mean_target) if mean_target is not None else None,
        "pct_of_target": _half_up(100 * mean / mean_target) if mean_target else None,
        "mean_pct_of_target": _half_up(sum(pcts) / len(pcts)) if pcts else None,
        "mean_pct_of_all_employees": _half_up(sum(e["pct_of_all_employees"] for e in editions) / n),
        "activations_total": sum(e["activations_total"] for e in editions),
        "social_media_total": sum(e["social_media_total"] for e in editions),
    }
