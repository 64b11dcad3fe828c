"""The ``bi_reader`` role: BI tools and the report read the marts and nothing else.

The role may log in and is granted usage on schema ``marts`` only; dbt re-grants
SELECT on every mart it builds (``+grants`` in dbt_project.yml). Its password is
``BI_READER_PASSWORD`` when set, else generated once and kept in the embedded
warehouse's state file (mode 600). On a server where we may not create roles, an
existing role is used as it is; if there is none, outputs fall back to the
warehouse user.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

ROLE = "bi_reader"


def _password(wh) -> str | None:
    if os.environ.get("BI_READER_PASSWORD"):
        return os.environ["BI_READER_PASSWORD"]
    if wh.embedded is None:
        return None
    state_file = wh.embedded.state_file
    state = json.loads(state_file.read_text())
    if "bi_reader_password" not in state:
        state["bi_reader_password"] = secrets.token_urlsafe(18)
        state_file.write_text(json.dumps(state))
        state_file.chmod(0o600)
    return state["bi_reader_password"]


def ensure_bi_reader(wh) -> None:
    password = _password(wh)
    with psycopg.connect(wh.url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (ROLE,)).fetchone()
        can_create = conn.execute(
            "select rolcreaterole or rolsuper from pg_roles where rolname = current_user"
        ).fetchone()[0]
        if not can_create:
            if not exists:
                log.warning("cannot create role %s here; outputs read as the warehouse user", ROLE)
            return
        if not exists:
            conn.execute(sql.SQL("create role {} login").format(sql.Identifier(ROLE)))
        if password:
            conn.execute(sql.SQL("alter role {} login password {}").format(sql.Identifier(ROLE), sql.Literal(password)))
        db = urlsplit(wh.url).path.lstrip("/")
        conn.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(db), sql.Identifier(ROLE)))
        conn.execute(sql.SQL("revoke create on schema public from {}").format(sql.Identifier(ROLE)))
        conn.execute("create schema if not exists marts")
        conn.execute(sql.SQL("grant usage on schema marts to {}").format(sql.Identifier(ROLE)))
        conn.execute(sql.SQL("grant select on all tables in schema marts to {}").format(sql.Identifier(ROLE)))


def reader_url(wh) -> str | None:
    password = _password(wh)
    if not password:
        return None
    p = urlsplit(wh.url)
    netloc = f"{ROLE}:{quote(password, safe='')}@{p.hostname}:{p.port or 5432}"
    return urlunsplit((p.scheme, netloc, p.path, p.query, ""))
