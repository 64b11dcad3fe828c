"""Seeded scenario generators for the simulated contact-center world.

``calibration`` holds the monthly targets of every source, ``world`` the shared
population, vocabulary and time helpers, and one module per source
(``deskpro``, later WhatsApp, phone, social media) generates that source's data.
"""

from simulators.scenario.calibration import CALIBRATION, DEFAULT_RANGES, monthly_target

__all__ = ["CALIBRATION", "DEFAULT_RANGES", "monthly_target"]
