"""Metric readers: each module here turns one mart into summary metrics.

A reader is ``fn(conn, month: date) -> {spec key: {"value": ..., ...}}``, registered
with ``@reader``. Every module of this package is imported by ``all_readers()``, so a
new mart adds a module here and touches nothing else.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from decimal import Decimal
from typing import Any

Reader = Callable[[Any, dt.date], dict[str, dict[str, Any]]]
_READERS: list[Reader] = []


def reader(fn: Reader) -> Reader:
    _READERS.append(fn)
    return fn


def all_readers() -> list[Reader]:
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return list(_READERS)


def pct(ratio: Decimal | float | None) -> float | None:
    """A change or share ratio as a percentage with one decimal (presentation rounding)."""
    return None if ratio is None else round(float(ratio) * 100, 1)


def _num(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def metric(**fields: Any) -> dict[str, Any]:
    """A summary metric; fields that do not apply (None) are omitted."""
    return {k: _num(v) for k, v in fields.items() if v is not None}


def compared(value: Any, prev: Any, last_year: Any, ytd: Any, mom: Any, yoy: Any, **more: Any) -> dict[str, Any]:
    """A metric with its comparison columns (the marts' monthly_comparisons): previous month, same month
    last year, year to date, and the MoM/YoY change ratios as percentages."""
    return metric(
        value=value,
        prev_month=prev,
        same_month_last_year=last_year,
        ytd=ytd,
        mom_pct=pct(mom),
        yoy_pct=pct(yoy),
        **more,
    )
