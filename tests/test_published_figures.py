"""Every figure of the published December 2023 report, from `make run`'s summary.json.

The spec (tests/fixtures/report-2023-12.yaml, the published report read into keys)
is compared field by field with out/reports/2023-12/summary.json of the shared
session run: value, prev_month, same_month_last_year, the 2023 year to date,
breakdowns, top pages, agents. Where the published report contradicts itself
(its `notes`), CORRECTIONS holds the consistent value and why; nothing else may
differ. A breakdown may carry one more entry, "unclassified", for the part of the
total that fits no label (the report left it out), and then the parts add up.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

SPEC = yaml.safe_load((Path(__file__).parent / "fixtures" / "report-2023-12.yaml").read_text(encoding="utf-8"))

# (metric key, field) -> (the consistent value, why the published one differs)
CORRECTIONS: dict[tuple[str, str], tuple[object, str]] = {
    ("social_media_content_avg", "value"): (37.7, "113 / 3 = 37.7, printed rounded as 38"),
    ("escalated_tickets", "published_share"): (9.8, "144 / 1469 = 9.8 %, printed as 10 %"),
}
# The report prints visitors rounded ("sekitar 84.000"); the data has the exact count.
ROUNDED_TO_THOUSANDS = {("website_visitors", "value"), ("website_visitors", "prev_month")}

SCALARS = {
    "value": "value",
    "prev_month": "prev_month",
    "same_month_last_year": "same_month_last_year",
    "ytd_2023": "ytd",
    "new_this_month": "new_this_month",
    "top_pages": "top_pages",
    "published_share": "share_pct",
}
BREAKDOWNS = {
    "breakdown_by_category": "breakdown",
    "breakdown_by_menu": "breakdown",
    "breakdown_by_report_type": "breakdown",
    "breakdown_by_timezone": "breakdown",
    "breakdown_by_segment": "breakdown",
    "value_breakdown": "breakdown",
    "ytd_2023_breakdown": "ytd_breakdown",
}
NOT_FIGURES = {
    "key",
    "label",
    "notes",
    "published_change",
    "published_shares",
    "share_of_tickets_published",
    "rule",
    "agents",
}


@pytest.fixture(scope="module")
def summary(pipeline_env) -> dict:
    return json.loads((pipeline_env.out / "reports" / "2023-12" / "summary.json").read_text())["metrics"]


def test_the_spec_is_the_published_report():
    assert SPEC["period"] == "2023-12"
    assert len(SPEC["metrics"]) == 36
    fields = {f for m in SPEC["metrics"] for f in m}
    assert fields <= set(SCALARS) | set(BREAKDOWNS) | NOT_FIGURES, fields - set(SCALARS) - set(BREAKDOWNS) - NOT_FIGURES


@pytest.mark.parametrize("spec", SPEC["metrics"], ids=lambda m: m["key"])
def test_every_published_figure_is_in_the_summary(summary, spec):
    key = spec["key"]
    assert key in summary, f"{key}: not in summary.json"
    got = summary[key]
    for field, ours in SCALARS.items():
        if field not in spec:
            continue
        expected = spec[field]
        if (key, field) in CORRECTIONS:
            expected = CORRECTIONS[(key, field)][0]
        if (key, field) in ROUNDED_TO_THOUSANDS:
            assert round(got[ours], -3) == expected, (key, field, got[ours])
        else:
            assert got.get(ours) == expected, (key, field, got.get(ours), expected)
    for field, ours in BREAKDOWNS.items():
        if field not in spec:
            continue
        published = spec[field]
        mine = dict(got[ours])
        extra = mine.pop("unclassified", None)
        assert mine == published, (key, field, mine, published)
        if extra is not None and field == "breakdown_by_report_type":
            assert sum(published.values()) + extra == got["value"], (key, extra)
    if "agents" in spec:
        agents = {a["agent"]: a for a in got["agents"]}
        assert set(agents) == set(spec["agents"])
        assert all(a["rule_met"] for a in agents.values()), agents


def test_segments_add_up_to_the_consultations_of_the_month_and_year(summary):
    seg = summary["users_by_segment"]
    assert sum(seg["breakdown"].values()) + seg.get("unclassified", 0) == summary["consultation_tickets"]["value"]
    assert sum(seg["ytd_breakdown"].values()) == summary["consultation_tickets"]["ytd"] == 18008


def test_time_zones_add_up(summary):
    identified = summary["tickets_timezone_identified"]
    assert identified["breakdown"] == {"identified": 1251, "unidentified": 218}
    assert summary["tickets_within_service_hours"]["value"] + summary["tickets_outside_service_hours"]["value"] == 1251
