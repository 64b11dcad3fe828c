"""Local stand-in for the Deskpro REST API v2 (see ``server``)."""

from simulators.deskpro.server import DeskproStandIn, Faults, expected_counts, load_world

__all__ = ["DeskproStandIn", "Faults", "expected_counts", "load_world"]
