"""Local stand-in for the site's CMS in the WordPress REST API shape (see ``server``)."""

from simulators.cms.server import Faults, WordPressStandIn, expected_publications

__all__ = ["Faults", "WordPressStandIn", "expected_publications"]
