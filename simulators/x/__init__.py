"""Local stand-in for the X API v2 (@DitjenPK) and its analytics CSV export (see ``server``)."""

from simulators.x.server import Faults, XStandIn, write_analytics_exports

__all__ = ["Faults", "XStandIn", "write_analytics_exports"]
