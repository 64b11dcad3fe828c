"""Outputs read from the marts: the monthly summary export (and, later, the report)."""
