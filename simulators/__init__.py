"""Deterministic local stand-ins for the contact center's data sources."""
