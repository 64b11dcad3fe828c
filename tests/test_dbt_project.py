"""The dbt project's contract with its readers, checked on the parsed manifest (no database)."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_report_exposure_names_exactly_the_marts_the_report_reads(dbt_manifest):
    manifest = json.loads(dbt_manifest.read_text())
    exposure = manifest["exposures"]["exposure.djpk.laporan_layanan_informasi"]
    declared = {n.split(".")[-1] for n in exposure["depends_on"]["nodes"]}
    read = set()
    for path in (ROOT / "reporting").rglob("*.py"):
        read |= set(re.findall(r"marts\.([a-z_]+)", path.read_text()))
    assert declared == read, {"read but not declared": read - declared, "declared but not read": declared - read}


def test_every_mart_is_granted_to_bi_reader(dbt_manifest):
    manifest = json.loads(dbt_manifest.read_text())
    marts = [n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["config"]["schema"] == "marts"]
    assert len(marts) == len(list((ROOT / "dbt_project" / "models" / "marts").glob("*.sql")))
    assert all(n["config"]["grants"].get("select") == ["bi_reader"] for n in marts), \
        [n["name"] for n in marts if n["config"]["grants"].get("select") != ["bi_reader"]]
