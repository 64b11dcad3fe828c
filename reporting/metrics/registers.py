"""Staff registers: marts.mart_monthly_registers, the register-row marts and the
village-followers mart.

Every register kind gives ``value`` (entries in the month), ``prev_month``,
``same_month_last_year``, ``ytd`` and the changes; ``rows`` lists the month's
register rows as the report prints them (dates as ISO strings). The face-to-face
figure adds ``above_guest_limit`` and the limit. PPID requesters are people: their
figure has counts only (UU 27/2022), a ``breakdown`` by status and a
``by_institution_type`` breakdown (the requester's institution as a user segment),
never rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting.metrics import compared, metric, pct, reader

# metric key -> (rows mart, its columns as summary fields)
ROWS: dict[str, tuple[str, dict[str, str]]] = {
    "video_conferences": (
        "mart_register_video_conferences",
        {"date": "conference_date", "region": "region_text", "topic": "topic"},
    ),
    "face_to_face_consultations": (
        "mart_register_face_to_face",
        {
            "date": "consultation_date",
            "region": "region_text",
            "topic": "topic",
            "guests": "guests",
            "above_guest_limit": "above_guest_limit",
        },
    ),
    "webinars": ("mart_register_webinars", {"date": "event_date", "title": "title"}),
}
COMPLAINT_KINDS = {
    "complaints_pengaduan": "Pengaduan",
    "complaints_keluhan_layanan": "Keluhan Layanan",
    "complaints_keluhan_kebijakan": "Keluhan Kebijakan",
}


def _json(v: Any) -> Any:
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def _built(conn, table: str) -> bool:
    """Whether the mart exists (the registers may not be part of this warehouse)."""
    return conn.execute("select to_regclass(%s)", (f"marts.{table}",)).fetchone()[0] is not None


def _rows(conn, table: str, fields: dict[str, str], month: dt.date, where: str = "", params: tuple = ()) -> list[dict]:
    cols = ", ".join(fields.values())
    rows = conn.execute(
        f"select {cols} from marts.{table} where month = %s {where} order by row_in_month", (month, *params)
    ).fetchall()
    return [{k: _json(v) for k, v in zip(fields, r, strict=False)} for r in rows]


@reader
def registers(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if not _built(conn, "mart_monthly_registers"):
        return out
    rows = conn.execute(
        """select metric_key, entries, entries_prev_month, entries_same_month_last_year, entries_ytd,
                  mom_change, yoy_change
           from marts.mart_monthly_registers where month = %s order by sort_order""",
        (month,),
    ).fetchall()
    for key, v, prev, ly, ytd, mom, yoy in rows:
        m = compared(v, prev, ly, ytd, mom, yoy)
        if v is None:
            m["note"] = "no sheet for this month in the register"
        if key in ROWS:
            table, fields = ROWS[key]
            m["rows"] = _rows(conn, table, fields, month)
        elif key in COMPLAINT_KINDS:
            m["rows"] = _rows(
                conn,
                "mart_register_complaints",
                {"date": "complaint_date", "description": "description"},
                month,
                "and complaint_kind = %s",
                (COMPLAINT_KINDS[key],),
            )
        out[key] = m
    if "face_to_face_consultations" in out:
        f2f = out["face_to_face_consultations"]
        f2f["above_guest_limit"] = sum(1 for r in f2f["rows"] if r["above_guest_limit"])
        limit = conn.execute("select max(guest_limit) from marts.mart_register_face_to_face").fetchone()[0]
        if limit is not None:
            f2f["guest_limit"] = limit
    if "ppid_requests" in out and _built(conn, "mart_register_ppid_requests"):
        by_status: dict[str, int] = {}
        by_type: dict[str, int] = {}
        for status, kind, n in conn.execute(
            """select status, requester_type, requests from marts.mart_register_ppid_requests
                   where month = %s order by requester_type_sort_order, requester_type, status""",
            (month,),
        ).fetchall():
            by_status[status or "(tanpa status)"] = by_status.get(status or "(tanpa status)", 0) + n
            by_type[kind] = by_type.get(kind, 0) + n
        out["ppid_requests"]["breakdown"] = dict(sorted(by_status.items()))
        out["ppid_requests"]["by_institution_type"] = by_type
    return out


@reader
def instagram_village_followers(conn, month: dt.date) -> dict[str, dict[str, Any]]:
    if not _built(conn, "mart_monthly_registers_instagram_village_followers"):
        return {}
    row = conn.execute(
        """select total_accounts, new_accounts, total_accounts_prev_month, total_accounts_same_month_last_year,
                  new_accounts_ytd, total_mom_change, total_yoy_change
           from marts.mart_monthly_registers_instagram_village_followers where month = %s""",
        (month,),
    ).fetchone()
    if row is None:
        return {}
    total, new, prev, ly, new_ytd, mom, yoy = row
    return {
        "instagram_village_followers": metric(
            value=total,
            new_this_month=new,
            prev_month=prev,
            same_month_last_year=ly,
            new_ytd=new_ytd,
            mom_pct=pct(mom),
            yoy_pct=pct(yoy),
        )
    }
