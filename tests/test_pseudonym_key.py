"""The pseudonymisation key (pipeline/pseudonym_key.py) and dbt's pseudonymise() macro.

The macro's SQL, rendered from dbt_project/macros/pseudonymise.sql, runs on a real
PostgreSQL 18 (no pgcrypto) and must give exactly Python's HMAC-SHA256.
"""

from __future__ import annotations

import hashlib
import hmac
import stat

import jinja2
import psycopg
import pytest

from pipeline import pseudonym_key as pk
from tests.conftest import ROOT, TEST_PSEUDONYM_KEY

VALUES = [
    "628123456789",
    "+628123456789",
    "budi.santoso@example.go.id",
    "",
    "Ñame with ümlauts, 名前 and emoji 🙂",
    "x" * 1000,
    "wamid.HBgMFQIAEhgUNjI4MjMxODU3NDIxQjE1RjM5MDdCREZDRDNFN0FEQkY=",
]


def macros() -> jinja2.runtime.TemplateModule:
    """dbt_project/macros/pseudonymise.sql as dbt renders it (var() gives its default)."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    env.globals["var"] = lambda name, default=None: {"retired_relations": ["marts.retired_t", "marts.retired_v"]}.get(
        name, default
    )
    return env.from_string((ROOT / "dbt_project" / "macros" / "pseudonymise.sql").read_text()).module


@pytest.mark.parametrize(
    "key", [TEST_PSEUDONYM_KEY, "k" * 64, "a much longer key than sha-256's block " * 4], ids=["short", "block", "long"]
)
def test_the_macro_computes_hmac_sha256_in_postgres(conn, key):
    pk.provision(conn, key)
    sql = f"select v, {macros().pseudonymise('v')} from unnest(%s::text[]) as v"
    got = dict(conn.execute(sql, (VALUES,)).fetchall())
    want = {v: hmac.new(key.encode(), v.encode(), hashlib.sha256).hexdigest() for v in VALUES}
    assert got == want
    assert got == {v: pk.pseudonymise(key, v) for v in VALUES}
    assert conn.execute(f"select {macros().pseudonymise('null::text')}").fetchone() == (None,)
    # not a digest of the value: an unsalted hash of a phone number is reversed by trying them all
    assert got["628123456789"] != hashlib.sha256(b"628123456789").hexdigest()


def test_the_key_is_at_least_32_characters(conn):
    with pytest.raises(ValueError, match="at least 32"):
        pk.provision(conn, "short-key")


def test_only_the_warehouse_user_can_read_the_key(conn):
    conn.execute("do $$ begin create role bi_reader; exception when duplicate_object then null; end $$")
    conn.commit()
    kid = pk.provision(conn, TEST_PSEUDONYM_KEY)
    assert kid == pk.key_id(TEST_PSEUDONYM_KEY) and TEST_PSEUDONYM_KEY not in kid
    assert conn.execute("""select has_schema_privilege('bi_reader', 'private', 'usage'),
                                  has_table_privilege('bi_reader', 'private.pseudonym_key', 'select'),
                                  has_table_privilege('public', 'private.pseudonym_key', 'select')""").fetchone() == (
        False,
        False,
        False,
    )
    ipad, opad = conn.execute("select k_ipad, k_opad from private.pseudonym_key").fetchone()
    assert (bytes(ipad), bytes(opad)) == pk.pads(TEST_PSEUDONYM_KEY)
    assert TEST_PSEUDONYM_KEY.encode() not in bytes(ipad) + bytes(opad)


def test_first_run_generates_a_local_key_mode_600_then_keeps_the_warehouses(conn, tmp_path, monkeypatch):
    monkeypatch.setenv("DJPK_LOCAL_DIR", str(tmp_path / "local"))
    monkeypatch.delenv(pk.ENV, raising=False)
    first = pk.ensure(conn)
    path = pk.key_file()
    assert path.is_relative_to(tmp_path) and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first == pk.key_id(path.read_text().strip()) == pk.current_key_id(conn)
    assert pk.ensure(conn) == first  # the same key on every run
    # the file gone (a new container, another machine): the warehouse's key is kept, none is generated
    path.unlink()
    assert pk.ensure(conn) == first and not path.exists()


def test_the_airflow_variable_is_the_key_and_a_new_value_rotates_it(conn, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DJPK_LOCAL_DIR", str(tmp_path / "local"))
    monkeypatch.setenv(pk.ENV, TEST_PSEUDONYM_KEY)
    assert pk.ensure(conn) == pk.key_id(TEST_PSEUDONYM_KEY)
    assert not pk.key_file().exists()  # a configured key is never written to disk
    rotated = TEST_PSEUDONYM_KEY[::-1]
    monkeypatch.setenv(pk.ENV, rotated)
    assert pk.ensure(conn) == pk.key_id(rotated) == pk.current_key_id(conn)
    assert "pseudonymisation key rotated" in caplog.text
    assert conn.execute(f"select {macros().pseudonymise(repr('x'))}").fetchone()[0] == pk.pseudonymise(rotated, "x")


def test_dbt_refuses_to_run_without_a_key(conn):
    with pytest.raises(psycopg.errors.RaiseException, match="no pseudonymisation key"):
        conn.execute(macros().assert_pseudonym_key())
    conn.rollback()
    pk.provision(conn, TEST_PSEUDONYM_KEY)
    conn.execute(macros().assert_pseudonym_key())


def test_retired_relations_are_dropped_whatever_their_kind(conn):
    conn.execute("create schema marts; create table marts.retired_t (x int); create view marts.retired_v as select 1")
    conn.execute(macros().drop_retired_relations())
    assert conn.execute("select to_regclass('marts.retired_t'), to_regclass('marts.retired_v')").fetchone() == (
        None,
        None,
    )
    conn.execute(macros().drop_retired_relations())  # none left: nothing to do
