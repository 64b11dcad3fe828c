"""Local stand-in for the Google Analytics 4 Data API v1beta (see ``server``)."""

from simulators.ga4.server import Faults, Ga4StandIn, expected_monthly_users

__all__ = ["Faults", "Ga4StandIn", "expected_monthly_users"]
