"""Regenerate seeds/ref_public_holidays.csv: Indonesian national holidays and cuti bersama.

Build-time only (the pipeline reads the committed CSV, never this package):

    python -m venv /tmp/hol && /tmp/hol/bin/pip install holidays==0.108
    /tmp/hol/bin/python dbt_project/scripts/build_ref_public_holidays.py

The ``holidays`` package's Indonesia calendar follows the yearly joint decree (SKB
3 Menteri) on national holidays ("public" category) and collective leave, cuti
bersama ("government" category), including its revisions (e.g. the 2023 revision
that added cuti bersama on 2023-06-02, 06-28 and 06-30).
"""

from __future__ import annotations

import csv
from pathlib import Path

import holidays

YEARS = range(2022, 2025)
OUT = Path(__file__).resolve().parents[1] / "seeds" / "ref_public_holidays.csv"


def main() -> None:
    rows = []
    for kind, category in (("national", "public"), ("cuti_bersama", "government")):
        cal = holidays.country_holidays("ID", years=YEARS, categories=(category,), language="id")
        for day, name in cal.items():
            for part in name.split("; "):
                rows.append((day.isoformat(), part, kind))
    rows.sort()
    with open(OUT, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["holiday_date", "holiday_name", "holiday_kind"])
        w.writerows(rows)
    print(f"{OUT}: {len(rows)} rows from holidays {holidays.__version__}")


if __name__ == "__main__":
    main()
