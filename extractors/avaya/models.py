"""What the extractor requires of each Avaya record (the rest is kept as is).

Records are built by the file parsers (``cms.py``, ``cdr.py``) and validated here
before they enter a batch; a record that breaks these rules is quarantined with
its file, line and reason, and the rest of the file still loads. Unknown columns
of a CMS export pass through into the raw record (``extra="allow"``).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from extractors.avaya.layout import CONDITION_CODES


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")

    source_file: str
    file_sha256: str = Field(min_length=64, max_length=64)
    line_no: int = Field(ge=1)


def _hhmm(v: int) -> int:
    if not (0 <= v <= 2359 and v % 100 < 60):
        raise ValueError(f"{v} is not a time of day as hhmm")
    return v


class SplitInterval(_Record):
    """One row of CMS ``hsplit`` (split/skill interval table)."""

    row_date: dt.date
    starttime: int
    intrvl: int = Field(gt=0, le=60)
    acd: int = Field(ge=1)
    split: int = Field(ge=0)
    callsoffered: int = Field(ge=0)
    acdcalls: int = Field(ge=0)
    anstime: int = Field(ge=0)
    acdtime: int = Field(ge=0)
    acwtime: int = Field(ge=0)
    abncalls: int = Field(ge=0)
    abntime: int = Field(ge=0)
    holdcalls: int = Field(ge=0)
    transferred: int = Field(ge=0)
    acceptable: int = Field(ge=0)
    servicelevel: int = Field(ge=0)
    i_stafftime: int = Field(ge=0)

    @field_validator("starttime")
    @classmethod
    def _starttime(cls, v: int) -> int:
        return _hhmm(v)


class AgentInterval(_Record):
    """One row of CMS ``hagent`` (agent interval table), with the agent's name from the dictionary."""

    row_date: dt.date
    starttime: int
    intrvl: int = Field(gt=0, le=60)
    acd: int = Field(ge=1)
    split: int = Field(ge=0)
    logid: str = Field(min_length=1, max_length=16, pattern=r"^\d+$")
    agent_name: str | None = None
    acdcalls: int = Field(ge=0)
    ringtime: int = Field(ge=0)
    acdtime: int = Field(ge=0)
    acwtime: int = Field(ge=0)
    holdcalls: int = Field(ge=0)
    holdtime: int = Field(ge=0)
    transferred: int = Field(ge=0)
    ti_stafftime: int = Field(ge=0)
    ti_availtime: int = Field(ge=0)
    ti_auxtime: int = Field(ge=0)

    @field_validator("starttime")
    @classmethod
    def _starttime(cls, v: int) -> int:
        return _hhmm(v)


class CdrRecord(_Record):
    """One CM CDR record in the customized layout (``layout.CUSTOMIZED``)."""

    ucid: str = Field(min_length=1)  # the recorded UCID, or "nouid-<hash>" when the switch sent none
    cond_code: str
    call_date: dt.date
    call_time: int  # hhmm the call (segment) ended, switch local time
    duration_seconds: int = Field(ge=0)
    raw_record: str

    @field_validator("call_time")
    @classmethod
    def _call_time(cls, v: int) -> int:
        return _hhmm(v)

    @field_validator("cond_code")
    @classmethod
    def _known_code(cls, v: str) -> str:
        if v not in CONDITION_CODES:
            raise ValueError(f"unknown condition code {v!r}")
        return v


class FileVersion(BaseModel):
    """One landing file as read: the registry that makes every file load once."""

    model_config = ConfigDict(extra="allow")

    file_name: str = Field(min_length=1)  # path relative to the landing root
    kind: str
    sha256: str = Field(min_length=64, max_length=64)
    size_bytes: int = Field(ge=0)
    records: int = Field(ge=0)
    rejected: int = Field(ge=0)
