"""Local stand-in for the Google Analytics 4 Data API v1beta (see ``server``)."""

from simulators.ga4.server import REPORT_ERROR_STATUSES, Faults, Ga4StandIn, expected_monthly_users

__all__ = ["REPORT_ERROR_STATUSES", "Faults", "Ga4StandIn", "expected_monthly_users"]
