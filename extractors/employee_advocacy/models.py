"""Pydantic schemas of the employee-advocacy exports: what a valid record is.

A participation record (one employee action in one edition) must have its
submission id, an edition code, the NIP's keyed hash (the extractor replaces the
NIP by it; a NIP that is not 18 digits leaves it empty and the record is
rejected), a known UE1 code, a known activation type and platform (as the form
spells them over the year, any case), a submission time and a validation status.
Reference records (editions, quarterly targets and headcount per UE1) must have
their keys and whole numbers >= 0. Labels are checked here but landed as exported;
staging maps them to keys.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

# Echelon-1 units (Unit Eselon I) of the Ministry of Finance, 2023.
UE1_CODES = frozenset({"SETJEN", "ITJEN", "DJA", "DJP", "DJBC", "DJPB", "DJKN", "DJPK", "DJPPR", "BKF", "BPPK", "LNSW"})

ACTIVATION_TYPES = {
    "kontentersedia": "konten_tersedia",
    "likecommentshare": "like_comment_share",
    "kreasikontenmandiri": "kreasi_konten_mandiri",
}
PLATFORMS = {
    "instagram": "instagram",
    "facebook": "facebook",
    "twitter": "twitter",
    "twitterx": "twitter",
    "x": "twitter",
    "whatsapp": "whatsapp",
    "linkedin": "linkedin",
    "tiktok": "tiktok",
    "youtube": "youtube",
}
STATUSES = {
    "valid": "valid",
    "tervalidasi": "valid",
    "ditolak": "rejected",
    "rejected": "rejected",
    "menunggu": "pending",
    "pending": "pending",
}


def label_key(value: str) -> str:
    """``Like / Comment / Share`` -> ``likecommentshare`` (the form's spellings over the year)."""
    return re.sub(r"[^a-z]", "", value.lower())


def _known(mapping: dict[str, str], what: str):
    def check(value: str) -> str:
        if label_key(value) not in mapping:
            raise ValueError(f"not a known {what}")
        return value

    return check


def _ue1(value: str) -> str:
    if value.strip().upper() not in UE1_CODES:
        raise ValueError("not a known UE1 code of the Ministry of Finance")
    return value


def _nip_hash(value: Any) -> Any:
    if value is None:
        raise ValueError("the NIP is missing or not 18 digits")
    return value


def _edition(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", value):
        raise ValueError("not an edition code")
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace(".", "").replace(",", "").strip()
    return value


def _quarter(value: str) -> str:
    if not re.fullmatch(r"\d{4}-Q[1-4]", value.strip()):
        raise ValueError("not a quarter (YYYY-Qn)")
    return value


EditionCode = Annotated[str, AfterValidator(_edition)]
Quarter = Annotated[str, AfterValidator(_quarter)]
Ue1 = Annotated[str, AfterValidator(_ue1)]
NipHash = Annotated[str, BeforeValidator(_nip_hash)]
WholeNumber = Annotated[int, BeforeValidator(_whole)]


class Participation(BaseModel):
    model_config = ConfigDict(extra="allow")

    submission_id: str
    edition_id: EditionCode
    nip_hash: Annotated[NipHash, AfterValidator(lambda v: v if re.fullmatch(r"[0-9a-f]{64}", v) else _bad_hash())]
    ue1: Ue1
    unit: str | None = None
    activation_type: Annotated[str, AfterValidator(_known(ACTIVATION_TYPES, "activation type"))]
    platform: Annotated[str, AfterValidator(_known(PLATFORMS, "platform"))]
    evidence_url: str | None = None
    submitted_at: dt.datetime
    validation_status: Annotated[str, AfterValidator(_known(STATUSES, "validation status"))]
    export_file: str


def _bad_hash() -> str:
    raise ValueError("not a keyed hash")


class Edition(BaseModel):
    model_config = ConfigDict(extra="allow")

    edition_id: EditionCode
    title: str
    publish_date: dt.date
    quarter: Quarter


class Target(BaseModel):
    model_config = ConfigDict(extra="allow")

    quarter: Quarter
    ue1: Ue1
    target_employees: Annotated[WholeNumber, AfterValidator(lambda v: v if v >= 0 else _negative())]


class Headcount(BaseModel):
    model_config = ConfigDict(extra="allow")

    quarter: Quarter
    ue1: Ue1
    employees: Annotated[WholeNumber, AfterValidator(lambda v: v if v >= 0 else _negative())]


def _negative() -> int:
    raise ValueError("must be >= 0")


class ExportFile(BaseModel):
    """One file of the folder as last read: what an incremental run compares with (``files`` stream)."""

    model_config = ConfigDict(extra="forbid")

    file: str
    stream: str
    sha256: Annotated[str, AfterValidator(lambda v: v if re.fullmatch(r"[0-9a-f]{64}", v) else _not_sha256())]
    size_bytes: Annotated[int, AfterValidator(lambda v: v if v >= 0 else _negative())]
    key_id: str  # fingerprint of the NIP hash key the file's rows were hashed with (never the key)


def _not_sha256() -> str:
    raise ValueError("must be a SHA-256 hex digest")
