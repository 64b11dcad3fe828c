"""Superset's configuration for the contact center's BI (read through SUPERSET_CONFIG_PATH).

Everything it keeps lives in ``BI_HOME`` (``.local/bi`` locally, a volume in Docker):
the metadata in SQLite, the app's secret key (0600, generated once by ``python -m bi``).
No warehouse credential is here: the connection to the warehouse, as ``bi_reader``, is
provisioned into the metadata database (encrypted with the secret key) by bi/provision.py.
"""

from __future__ import annotations

import os
from pathlib import Path

BI_HOME = Path(os.environ.get("BI_HOME", Path(__file__).resolve().parents[1] / ".local" / "bi")).resolve()

SQLALCHEMY_DATABASE_URI = os.environ.get("SUPERSET_METADATA_URL") or f"sqlite:///{BI_HOME / 'superset.db'}"


def _secret_key() -> str:
    if os.environ.get("SUPERSET_SECRET_KEY"):
        return os.environ["SUPERSET_SECRET_KEY"]
    path = BI_HOME / "secret_key"
    if not path.exists():
        raise RuntimeError(f"no {path}: start Superset with `make bi` (python -m bi start), which generates it")
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# No sample data, no phoning home, no thumbnails or alerts (they need Celery workers).
SUPERSET_LOAD_EXAMPLES = False
FEATURE_FLAGS = {
    "DASHBOARD_RBAC": False,
    "THUMBNAILS": False,
    "ALERT_REPORTS": False,
    "ENABLE_TEMPLATE_PROCESSING": False,
}
# One process, no Redis: in-memory rate-limit store (silences Flask-Limiter's warning).
RATELIMIT_STORAGE_URI = "memory://"
# SQL Lab may only read (bi_reader can only read the marts anyway).
PREVENT_UNSAFE_DB_CONNECTIONS = True
SQLLAB_CTAS_NO_LIMIT = False
ROW_LIMIT = 50000
# Bound to 127.0.0.1 by python -m bi; behind a proxy set ENABLE_PROXY_FIX in the environment.
ENABLE_PROXY_FIX = os.environ.get("SUPERSET_ENABLE_PROXY_FIX", "").lower() in ("1", "true")
# Content-Security-Policy stays on (Superset's default Talisman settings).
WTF_CSRF_ENABLED = True
