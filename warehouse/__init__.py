"""Where the warehouse is: the embedded PostgreSQL by default, any Postgres by URL."""

from warehouse.config import Warehouse, project_root, resolve

__all__ = ["Warehouse", "project_root", "resolve"]
