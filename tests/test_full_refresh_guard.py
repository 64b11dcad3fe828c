"""A full refresh through Airflow against a Deskpro server that returns one page short:
the DAG run fails with the expected and received counts, and nothing is deleted."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture()
def short_deskpro():
    key = "guard-key-5d1e"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulators.deskpro", "--port", "0", "--api-key", key, "--fault", "short:3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:"), base_url
        yield json.dumps({"conn_type": "http", "password": key, "extra": {"base_url": base_url}})
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_short_page_fails_the_full_refresh_with_counts_and_deletes_nothing(pipeline_env, short_deskpro):
    before = pipeline_env.query("select count(*), max(_loaded_at) from raw.deskpro__tickets")[0]
    assert before[0] > 2400
    env = dict(pipeline_env.env, AIRFLOW_CONN_DESKPRO_API=short_deskpro)
    res = subprocess.run(
        [sys.executable, "-m", "pipeline", "dag", "deskpro", "--full-refresh"], env=env, capture_output=True, text=True
    )
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert "CompletenessError" in out and "page 3 of 13 has 199 records, not 200" in out
    listed = re.search(r"the source lists (\d+) records, (\d+) arrived", out)
    assert listed and int(listed[2]) == int(listed[1]) - 1 and int(listed[1]) >= before[0]
    assert "--force-deletions" in out
    assert pipeline_env.query("select count(*), max(_loaded_at) from raw.deskpro__tickets")[0] == before
