"""Monthly volume targets for every simulated source of the contact-center world.

One place for the figures the simulated world must reproduce. Each source adds
its own block under ``CALIBRATION[source][channel]["YYYY-MM"] = count``; months
without a fixed figure get a deterministic value drawn from
``DEFAULT_RANGES[source][channel]`` (seeded by seed, source, channel and month, so
a month's figure does not depend on which date range is generated).

Counting rule for the Deskpro figures: non-spam, non-deleted tickets, bucketed
by the month of ``date_created`` converted to Asia/Jakarta local time (WIB,
UTC+7, no daylight saving time).
"""

from __future__ import annotations

import random

# Fixed figures taken from the published monthly reports.
CALIBRATION: dict[str, dict[str, dict[str, int]]] = {
    "deskpro": {
        "email_call_center": {"2022-12": 86, "2023-11": 143, "2023-12": 126},
        "hai_kemenkeu": {"2022-12": 48, "2023-11": 14, "2023-12": 56},
        "live_chat": {"2022-12": 4, "2023-11": 23, "2023-12": 20},
    },
}

# Inclusive (low, high) ranges for months without a fixed figure.
DEFAULT_RANGES: dict[str, dict[str, tuple[int, int]]] = {
    "deskpro": {
        "email_call_center": (80, 160),
        "hai_kemenkeu": (10, 60),
        "live_chat": (3, 30),
    },
}


def channels(source: str) -> list[str]:
    """Channel keys of a source, in a stable order."""
    return list(DEFAULT_RANGES[source])


def monthly_target(seed: int, source: str, channel: str, month: str) -> int:
    """Number of countable items for (source, channel, month "YYYY-MM").

    A fixed figure from ``CALIBRATION`` when there is one, otherwise a value
    drawn from ``DEFAULT_RANGES`` with an RNG seeded by all four arguments.
    """
    fixed = CALIBRATION.get(source, {}).get(channel, {})
    if month in fixed:
        return fixed[month]
    low, high = DEFAULT_RANGES[source][channel]
    rng = random.Random(f"{seed}/calibration/{source}/{channel}/{month}")
    return rng.randint(low, high)
