"""Resolve the warehouse: ``WAREHOUSE_URL`` when set, else the embedded server.

``WAREHOUSE_URL`` points everything (loaders, dbt, the report, Airflow's
``warehouse`` connection) at any Postgres. Airflow's own metadata goes into a
separate database on the same server (``AIRFLOW_DB_URL`` overrides it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from warehouse.embedded import EmbeddedPostgres


def project_root() -> Path:
    return Path(__file__).resolve().parents[1]


def local_dir() -> Path:
    return Path(os.environ.get("DJPK_LOCAL_DIR", project_root() / ".local"))


@dataclass
class Warehouse:
    url: str  # postgresql://user:pw@host:port/db  (SQLAlchemy/psycopg form)
    airflow_url: str
    embedded: EmbeddedPostgres | None = None

    @property
    def parts(self):
        return urlsplit(self.url)

    def with_database(self, db: str) -> str:
        p = self.parts
        return urlunsplit((p.scheme, p.netloc, "/" + db, p.query, p.fragment))

    @property
    def airflow_conn_uri(self) -> str:
        """The same target as an Airflow connection URI (scheme ``postgres``)."""
        p = self.parts
        return urlunsplit(("postgres", p.netloc, p.path, p.query, p.fragment))

    def redacted(self) -> str:
        return redact(self.url)


def redact(url: str) -> str:
    p = urlsplit(url)
    if p.password is None:
        return url
    netloc = p.netloc.replace(":" + p.password + "@", ":***@", 1)
    return urlunsplit((p.scheme, netloc, p.path, p.query, p.fragment))


def _driverless(url: str) -> str:
    p = urlsplit(url)
    scheme = p.scheme.split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    return urlunsplit((scheme, p.netloc, p.path, p.query, p.fragment))


def resolve(start: bool = True, home: Path | None = None, fsync: bool = True) -> Warehouse:
    """The warehouse to use, starting the embedded server when no URL is given."""
    url = os.environ.get("WAREHOUSE_URL")
    if url:
        url = _driverless(url)
        af = os.environ.get("AIRFLOW_DB_URL")
        p = urlsplit(url)
        airflow_url = _driverless(af) if af else urlunsplit((p.scheme, p.netloc, "/airflow", p.query, ""))
        return Warehouse(url=url, airflow_url=airflow_url)
    pg = EmbeddedPostgres(home or local_dir() / "warehouse", fsync=fsync)
    info = pg.start() if start else pg.info()
    return Warehouse(url=info.url("warehouse"), airflow_url=info.url("airflow"), embedded=pg)


def ensure_databases(wh: Warehouse) -> None:
    """Create the warehouse and Airflow databases when missing (needs CREATEDB)."""
    import psycopg

    admin = wh.with_database("postgres")
    wanted = {urlsplit(wh.url).path.lstrip("/"), urlsplit(wh.airflow_url).path.lstrip("/")}
    with psycopg.connect(admin, autocommit=True) as conn:
        have = {r[0] for r in conn.execute("select datname from pg_database")}
        for db in sorted(wanted - have):
            conn.execute(f'create database "{db}"')
