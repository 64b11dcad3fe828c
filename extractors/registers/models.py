"""Pydantic schemas of the register rows: what a valid row of each register is.

Every record carries its place in the workbook (``workbook``, ``sheet``,
``sheet_row``: the key) and the month the sheet is named after
(``sheet_month``); the row's cells follow, as read. Validation turns the cells
into typed values or says, field by field, why the row is rejected:

* ``date``: an Indonesian date (extractors.registers.dates) inside the sheet's month;
* required text: present after trimming (``-`` and ``.`` count as empty);
* ``guests``: a whole number of at least 1 ("5 orang" reads as 5);
* complaint ``kind``: Pengaduan, Keluhan Layanan or Keluhan Kebijakan (any case);
* Instagram ``account``: a handle, with or without ``@`` or the profile URL.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator

from extractors.registers.dates import parse_date

_EMPTY = {"", "-", "--", ".", "_"}


def _text(value: Any) -> str:
    if value is None:
        raise ValueError("required, but the cell is empty")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).replace("\u00a0", " ").split())
    if text in _EMPTY:
        raise ValueError("required, but the cell is empty")
    return text


def _optional_text(value: Any) -> str | None:
    try:
        return _text(value)
    except ValueError:
        return None


Text = Annotated[str, BeforeValidator(_text)]
OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]


def _in_month(value: Any, info: ValidationInfo, required: bool = True) -> dt.date | None:
    month: dt.date | None = info.data.get("sheet_month")
    if value is None or (isinstance(value, str) and value.strip() in _EMPTY):
        if required:
            raise ValueError("required, but the cell is empty")
        return None
    day = parse_date(value, default_year=month.year if month else None)
    if month and (day.year, day.month) != (month.year, month.month):
        raise ValueError(f"{day.isoformat()} is outside the sheet's month {month:%Y-%m}")
    return day


class RegisterRow(BaseModel):
    """Where a row sits; the key of every register stream is (workbook, sheet, sheet_row)."""

    model_config = ConfigDict(extra="ignore")

    workbook: str
    sheet: str
    sheet_row: int
    sheet_month: dt.date
    cells: dict[str, Any] = {}  # the row's mapped cells as read (header label -> value), for lineage


class DatedRow(RegisterRow):
    date: dt.date

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any, info: ValidationInfo) -> dt.date | None:
        return _in_month(value, info)


class VideoConference(DatedRow):
    region: Text
    topic: Text


def _guests(value: Any) -> int:
    if value is None or (isinstance(value, str) and value.strip() in _EMPTY):
        raise ValueError("required, but the cell is empty")
    if isinstance(value, bool):
        raise ValueError(f"not a number of guests: {value!r}")
    if isinstance(value, (int, float)):
        if value != int(value):
            raise ValueError(f"not a whole number of guests: {value!r}")
        n = int(value)
    else:
        m = re.fullmatch(r"\s*(-?\d+)\s*(orang|org|tamu|pax)?\.?\s*", str(value).lower())
        if not m:
            raise ValueError(f"not a number of guests: {value!r}")
        n = int(m[1])
    if n < 1:
        raise ValueError(f"guests must be at least 1, got {n}")
    return n


class FaceToFaceConsultation(DatedRow):
    region: Text
    topic: Text
    guests: Annotated[int, BeforeValidator(_guests)]


class Webinar(DatedRow):
    title: Text
    kind: OptionalText = None  # Webinar / FGD / Workshop / Sosialisasi when the sheet has the column


class PpidRequest(DatedRow):
    requester: Text
    institution: OptionalText = None
    data_requested: Text
    status: OptionalText = None


COMPLAINT_KINDS = {
    "pengaduan": "Pengaduan",
    "keluhan layanan": "Keluhan Layanan",
    "keluhan kebijakan": "Keluhan Kebijakan",
}


def _complaint_kind(value: Any) -> str:
    text = _text(value).lower()
    if text not in COMPLAINT_KINDS:
        raise ValueError(f"unknown kind {value!r}: expected one of {', '.join(COMPLAINT_KINDS.values())}")
    return COMPLAINT_KINDS[text]


class Complaint(RegisterRow):
    """Complaints are listed by month; the day is often left out."""

    date: dt.date | None = None
    kind: Annotated[str, BeforeValidator(_complaint_kind)]
    description: Text

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any, info: ValidationInfo) -> dt.date | None:
        return _in_month(value, info, required=False)


_HANDLE = re.compile(r"^[a-z0-9._]{1,30}$")


def _account(value: Any) -> str:
    text = _text(value).lower()
    text = re.sub(r"^(https?://)?(www\.)?instagram\.com/", "", text).strip("/").split("?")[0]
    text = text.lstrip("@").strip()
    if not _HANDLE.match(text):
        raise ValueError(f"not an Instagram account: {value!r}")
    return text


class VillageFollower(DatedRow):
    """An account of a village government (Pemerintah Desa) noticed following @ditjenpk."""

    account: Annotated[str, BeforeValidator(_account)]
    village: Text
