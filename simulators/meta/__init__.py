"""Local stand-in for the Meta Graph API: Instagram @ditjenpk and the Facebook Page (see ``server``)."""

from simulators.meta.server import DEFAULT_VERSION, Faults, GraphStandIn

__all__ = ["DEFAULT_VERSION", "Faults", "GraphStandIn"]
