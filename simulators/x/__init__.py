"""Local stand-in for the X API v2 (@DitjenPK) and its analytics CSV export (see ``server``)."""

from simulators.x.server import TWEET_ERROR_KINDS, Faults, XStandIn, write_analytics_exports

__all__ = ["TWEET_ERROR_KINDS", "Faults", "XStandIn", "write_analytics_exports"]
