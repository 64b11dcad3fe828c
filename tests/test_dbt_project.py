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
    marts = [
        n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["config"]["schema"] == "marts"
    ]
    assert len(marts) == len(list((ROOT / "dbt_project" / "models" / "marts").rglob("*.sql")))
    assert all(n["config"]["grants"].get("select") == ["bi_reader"] for n in marts), [
        n["name"] for n in marts if n["config"]["grants"].get("select") != ["bi_reader"]
    ]


def test_only_the_marts_are_granted_to_bi_reader(dbt_manifest):
    """Staging, intermediate and review keep personal data (typed texts, wamids): engineers only."""
    manifest = json.loads(dbt_manifest.read_text())
    granted = [
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] in ("model", "seed", "snapshot")
        and n["config"]["schema"] != "marts"
        and n["config"].get("grants")
    ]
    assert granted == []
    review = [
        n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["config"]["schema"] == "review"
    ]
    assert "unmatched_regions" in {n["name"] for n in review}


def test_personal_data_is_pseudonymised_with_the_key_never_hashed():
    """An unsalted md5/sha of a phone number or e-mail is reversed by trying them all:
    models use pseudonymise() (keyed HMAC). Hashes of non-personal ids are listed here."""
    allowed = {("stg_avaya__cdr_records.sql", "md5(ucid |")}  # a surrogate key of the call record, no person in it
    found = set()
    for path in (ROOT / "dbt_project" / "models").rglob("*.sql"):
        for m in re.finditer(r"\b(?:md5|sha1|sha224|sha256|sha384|sha512|digest)\s*\([^)\n]{0,6}", path.read_text()):
            found.add((path.name, m.group(0)))
    assert found == allowed
    uses = [p.name for p in (ROOT / "dbt_project" / "models").rglob("*.sql") if "pseudonymise(" in p.read_text()]
    assert {
        "stg_whatsapp__messages.sql",
        "stg_whatsapp__statuses.sql",
        "stg_deskpro__people.sql",
        "stg_email_lapor__messages.sql",
        "stg_avaya__cdr_records.sql",
        "int_whatsapp__conversations.sql",
        "int_consultations__whatsapp.sql",
    } <= set(uses)
