"""``make run`` reads a source whole unless it reads by stored state and was loaded before.

Avaya (files), registers (workbooks), employee advocacy (exports) and Email Lapor (UID cursor) take what is new since
their stored state, however long ago the last run was: once loaded, a second ``make run``
reads them incrementally. The API sources (date windows) are read whole by every run;
``pipeline run --full-refresh`` reads every source whole.
"""

from __future__ import annotations

import json

import psycopg
import pytest

from loaders.postgres import ensure_meta
from pipeline.__main__ import INCREMENTAL_BY_STATE, parser, refresh_conf

FULL = {"full_refresh": True}


def loaded(db_url, source):
    with psycopg.connect(db_url) as conn:
        ensure_meta(conn)
        conn.execute(
            "insert into raw._batches (batch_id, source, window_, streams, loaded_at) values (%s, %s, %s, %s, now())",
            (f"b-{source}", source, json.dumps({}), json.dumps({})),
        )


def test_an_empty_warehouse_gets_a_full_refresh_of_every_source(db_url):
    from extractors.registry import NAMES

    assert all(refresh_conf(n, db_url) == FULL for n in NAMES)
    with psycopg.connect(db_url) as conn:
        ensure_meta(conn)
    assert all(refresh_conf(n, db_url) == FULL for n in NAMES)


@pytest.mark.parametrize("source", INCREMENTAL_BY_STATE)
def test_a_source_read_by_stored_state_is_incremental_once_loaded(db_url, source):
    loaded(db_url, "deskpro")
    assert refresh_conf(source, db_url) == FULL  # another source's load says nothing
    loaded(db_url, source)
    assert refresh_conf(source, db_url) == {}
    assert refresh_conf(source, db_url, force=True) == FULL


def test_date_window_sources_are_always_read_whole(db_url):
    for source in ("deskpro", "meta", "x", "ga4", "cms", "whatsapp"):
        loaded(db_url, source)
        assert refresh_conf(source, db_url) == FULL


def test_run_takes_full_refresh():
    assert parser().parse_args(["run", "--full-refresh"]).full_refresh
    assert not parser().parse_args(["run"]).full_refresh
