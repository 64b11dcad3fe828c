"""The simulated Email Lapor world: calibration, determinism, and the classification rules.

The rules of seed email_lapor_report_types (PostgreSQL ``~*`` regular expressions,
written so Python's ``re`` reads them the same) must give every simulated message
the report type the generator meant, so the marts can reproduce the published
figures; the dbt unit test pins the SQL side (priority, 'unclassified').
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from simulators.scenario import email_lapor as scenario

SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "email_lapor_report_types.csv"
# the generator's keys -> the seed's report_type_key
KEYS = {
    "dau": "syarat_salur_dau",
    "dbh": "syarat_salur_dbh",
    "gaji": "gaji_induk_tpp",
    "realisasi_apbd": "realisasi_apbd",
    "apbd": "apbd",
    "unclassified": "unclassified",
}


@pytest.fixture(scope="module")
def world():
    return scenario.generate()


def rules() -> list[dict]:
    with open(SEED, newline="") as fh:
        return sorted(csv.DictReader(fh), key=lambda r: int(r["priority"]))


def classify(subject: str | None, filenames: list[str], rule_rows: list[dict]) -> str:
    text = (subject or "") + " | " + " | ".join(filenames)
    for r in rule_rows:
        if re.search(r["pattern"], text, flags=re.IGNORECASE):
            return r["report_type_key"]
    return "unclassified"


def test_published_figures_are_reproduced(world):
    counts = scenario.expected_counts(world)
    total = {m: sum(c.values()) for m, c in counts.items()}
    assert total["2023-12"] == 536 and total["2023-11"] == 409 and total["2022-12"] == 645
    assert sum(n for m, n in total.items() if m.startswith("2023")) == 8723
    assert counts["2023-12"] == Counter({"dau": 466, "dbh": 52, "gaji": 8, "unclassified": 10})
    # 466 + 52 + 8 = 526 as published: ten messages fit no type
    assert sum(counts["2023-12"][k] for k in ("dau", "dbh", "gaji")) == 526


def test_the_mess_is_there(world):
    months = {m.month for m in world}
    assert {m.month for m in world if m.is_spam} == months  # spam every month
    assert sum(m.is_duplicate for m in world) > 100
    assert any(m.message_id is None for m in world)
    assert any(b"Date:" not in m.raw.split(b"\r\n\r\n", 1)[0] for m in world)
    domains = Counter(m.sender.split("@")[1] for m in world if not m.is_spam)
    assert any(d.startswith("bpkad.") and d.endswith("kab.go.id") for d in domains)
    assert domains["gmail.com"] > 100
    # the first hours of a month (local) are still the previous month in UTC
    assert any(m.received_at.month != m.received_at.astimezone(scenario.LOCAL_TZ).month for m in world)


def test_generation_is_deterministic():
    a = scenario.generate_month(7, "2023-05")
    b = scenario.generate_month(7, "2023-05")
    assert [m.raw for m in a] == [m.raw for m in b]
    assert [m.raw for m in scenario.generate_month(8, "2023-05")] != [m.raw for m in a]


def test_the_rules_classify_every_simulated_message_as_meant(world):
    rule_rows = rules()
    wrong = [
        (m.subject, [n for n, _ in m.attachments], m.report_type)
        for m in world
        if not m.is_spam
        if classify(m.subject, [n for n, _ in m.attachments], rule_rows) != KEYS[m.report_type]
    ]
    assert wrong == []


def test_rule_priority_and_the_unclassified_class():
    rule_rows = rules()
    assert classify("Lap realisasi gaji induk (syarat salur DAU)", [], rule_rows) == "gaji_induk_tpp"
    assert classify("Laporan bulan Desember", ["SYARAT_SALUR_DAU_WAJO.pdf"], rule_rows) == "syarat_salur_dau"
    assert classify("Realisasi APBD Semester I", [], rule_rows) == "realisasi_apbd"
    assert classify("Perda APBD 2023", [], rule_rows) == "apbd"
    assert classify("Mohon informasi", ["scan0001.pdf"], rule_rows) == "unclassified"
    assert classify(None, [], rule_rows) == "unclassified"
    assert len({r["priority"] for r in rule_rows}) == len(rule_rows)
