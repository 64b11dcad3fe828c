"""The secret key of the pseudonyms (UU 27/2022): user keys are HMAC-SHA256, not hashes.

A phone number has about 10^10 possible values, so an unsalted md5 of one is
reversed by trying them all. dbt's macro ``pseudonymise(expr)``
(dbt_project/macros/pseudonymise.sql) computes instead HMAC-SHA256 with a secret
key, which nobody without the key can reverse or recompute.

The warehouse has no pgcrypto, only ``sha256(bytea)``, and dbt may not read a
secret into a model's SQL. So the pipeline provisions the key into the table
``private.pseudonym_key`` as HMAC's two padded keys (the 64-byte key XOR 0x36 and
XOR 0x5c): HMAC(K, m) = sha256(k_opad || sha256(k_ipad || m)). Schema ``private``
belongs to the warehouse user and nobody else is granted anything on it; bi_reader
never is. ``key_id`` (a keyed fingerprint) names the key without revealing it.

Where the key comes from:

1. the Airflow Variable ``pseudonym_key`` (``AIRFLOW_VAR_PSEUDONYM_KEY`` in the
   environment, or the metadata database inside an Airflow task): the value's
   UTF-8 bytes, at least 32 characters. When set, it is the key: a different key in
   the warehouse is replaced (a rotation);
2. else the key the warehouse already holds is kept;
3. else (first run) a key generated once and stored outside the repository in
   ``<local dir>/secrets/pseudonym_key`` (mode 600; ``DJPK_LOCAL_DIR``, default
   ``.local/``), then provisioned.

Rotation (docs/operations.md, "Pseudonymisation key"): set a new Variable value, or
``python -m pipeline.pseudonym_key rotate`` for the local key, then rebuild (every
model is rebuilt whole, so every pseudonym changes together).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import logging
import os
import secrets
import sys
from pathlib import Path

log = logging.getLogger(__name__)

VARIABLE = "pseudonym_key"
ENV = "AIRFLOW_VAR_PSEUDONYM_KEY"
SCHEMA = "private"
TABLE = f"{SCHEMA}.pseudonym_key"
MIN_LENGTH = 32
BLOCK = 64  # SHA-256's block size: HMAC pads the key to it


def key_file() -> Path:
    from warehouse.config import local_dir

    return local_dir() / "secrets" / "pseudonym_key"


def key_bytes(key: str | bytes) -> bytes:
    b = key.encode() if isinstance(key, str) else key
    if len(b) < MIN_LENGTH:
        raise ValueError(f"the pseudonymisation key must be at least {MIN_LENGTH} characters (got {len(b)})")
    return b


def pads(key: str | bytes) -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer padded keys (RFC 2104): K0 XOR 0x36, K0 XOR 0x5c."""
    k = key_bytes(key)
    if len(k) > BLOCK:
        k = hashlib.sha256(k).digest()
    k = k.ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in k), bytes(b ^ 0x5C for b in k)


def key_id(key: str | bytes) -> str:
    """A fingerprint that names the key (in logs and the table) without revealing it."""
    return hmac.new(key_bytes(key), b"djpk pseudonym key id", hashlib.sha256).hexdigest()[:16]


def pseudonymise(key: str | bytes, value: str) -> str:
    """What dbt's ``pseudonymise(expr)`` gives for ``value``: hex HMAC-SHA256."""
    return hmac.new(key_bytes(key), value.encode(), hashlib.sha256).hexdigest()


def configured_key(airflow: bool = False) -> str | None:
    """The Airflow Variable ``pseudonym_key``: from the environment, or (``airflow``,
    inside a task) from Airflow's metadata database too."""
    value = os.environ.get(ENV)
    if not value and airflow:
        from airflow.sdk import Variable

        value = Variable.get(VARIABLE, default=None)
    return value or None


def local_key(create: bool) -> str | None:
    """The locally generated key, generated (mode 600) when ``create`` and missing."""
    path = key_file()
    if path.exists():
        return path.read_text().strip()
    if not create:
        return None
    return _write_local_key(path, secrets.token_hex(32), replace=False)


def _write_local_key(path: Path, key: str, replace: bool) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".new")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    if replace:
        os.replace(tmp, path)
    else:
        try:
            os.link(tmp, path)  # never overwrite a key another process just wrote
        except FileExistsError:
            pass
        tmp.unlink()
    log.info("pseudonymisation key stored in %s (mode 600)", path)
    return path.read_text().strip()


DDL = f"""
create schema if not exists {SCHEMA};
revoke all on schema {SCHEMA} from public;
create table if not exists {TABLE} (
    singleton boolean primary key default true check (singleton),
    key_id text not null,
    k_ipad bytea not null check (length(k_ipad) = {BLOCK}),
    k_opad bytea not null check (length(k_opad) = {BLOCK}),
    provisioned_at timestamptz not null default now()
);
revoke all on {TABLE} from public;
comment on table {TABLE} is
    'HMAC-SHA256 padded keys of dbt''s pseudonymise() macro (pipeline/pseudonym_key.py). Engineers only.';
"""


def current_key_id(conn) -> str | None:
    if conn.execute("select to_regclass(%s)", (TABLE,)).fetchone()[0] is None:
        return None
    row = conn.execute(f"select key_id from {TABLE}").fetchone()
    return row[0] if row else None


def provision(conn, key: str | bytes) -> str:
    """Write ``key`` into ``private.pseudonym_key`` (replacing another); return its id."""
    ipad, opad = pads(key)
    kid = key_id(key)
    conn.execute("select pg_advisory_xact_lock(hashtext('djpk pseudonym key'))")
    for stmt in filter(str.strip, DDL.split(";")):
        conn.execute(stmt)
    if conn.execute("select 1 from pg_roles where rolname = 'bi_reader'").fetchone():
        conn.execute(f"revoke all on schema {SCHEMA} from bi_reader")
    conn.execute(
        f"""insert into {TABLE} (key_id, k_ipad, k_opad) values (%s, %s, %s)
            on conflict (singleton) do update
            set key_id = excluded.key_id, k_ipad = excluded.k_ipad, k_opad = excluded.k_opad,
                provisioned_at = now()
            where {TABLE}.key_id is distinct from excluded.key_id""",
        (kid, ipad, opad),
    )
    conn.commit()
    return kid


def ensure(conn, airflow: bool = False) -> str:
    """Make sure the warehouse holds the pseudonymisation key (see the module doc); its id."""
    current = current_key_id(conn)
    key = configured_key(airflow)
    if key is None and current is not None:
        local = local_key(create=False)
        if local is not None and key_id(local) != current:
            log.warning(
                "the warehouse's pseudonymisation key (%s) is not the one in %s (%s): keeping the "
                "warehouse's; `python -m pipeline.pseudonym_key rotate` replaces it",
                current,
                key_file(),
                key_id(local),
            )
        return current
    origin = f"Airflow Variable {VARIABLE}"
    if key is None:
        key, origin = local_key(create=True), str(key_file())
    kid = provision(conn, key)
    if current is None:
        log.info("pseudonymisation key %s provisioned from %s", kid, origin)
    elif current != kid:
        log.warning(
            "pseudonymisation key rotated: %s -> %s (from %s); every pseudonym changes at the next build",
            current,
            kid,
            origin,
        )
    return kid


def ensure_url(url: str) -> str:
    """``ensure`` on the warehouse at ``url`` (the local runner, before dbt)."""
    import psycopg

    with psycopg.connect(url) as conn:
        return ensure(conn)


def provision_task(conn_id: str) -> str:
    """Airflow task body (DAG ``transform``, before dbt): ``ensure`` on connection ``conn_id``."""
    from pipeline.tasks import warehouse_connection

    with warehouse_connection(conn_id) as conn:
        return ensure(conn, airflow=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m pipeline.pseudonym_key", description="Show or rotate the warehouse's pseudonymisation key."
    )
    ap.add_argument("command", choices=["status", "rotate"])
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import psycopg

    from warehouse.config import resolve

    with psycopg.connect(resolve().url) as conn:
        if args.command == "status":
            print(f"warehouse key: {current_key_id(conn) or '(none)'}")
            if configured_key():
                print(f"{ENV}: {key_id(configured_key())}")
            local = local_key(create=False)
            print(f"{key_file()}: {key_id(local) if local else '(none)'}")
            return 0
        if configured_key():
            print(f"{ENV} is set: rotate by giving the Airflow Variable {VARIABLE} a new value", file=sys.stderr)
            return 2
        key = _write_local_key(key_file(), secrets.token_hex(32), replace=True)
        print(
            f"pseudonymisation key rotated: {current_key_id(conn) or '(none)'} -> {provision(conn, key)}; "
            "rebuild the models (`make run`, or trigger the `transform` DAG)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
