"""Local stand-in for the Meta Graph API: Instagram @ditjenpk and the Facebook Page (see ``server``)."""

from simulators.meta.server import DEFAULT_VERSION, ITEM_ERROR_KINDS, Faults, GraphStandIn

__all__ = ["DEFAULT_VERSION", "ITEM_ERROR_KINDS", "Faults", "GraphStandIn"]
