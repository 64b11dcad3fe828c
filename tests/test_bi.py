"""Superset on the marts (bi/, `make bi`, docs/bi.md).

The fast tests check the version-controlled bundle (bi/bundle/): it is what its generator
writes, every chart reads a real mart column, no credential is in it. The slow tests start a
real Superset from its own venv (.venv-bi, created by `make bi-install` when missing) against
the session's built warehouse (`pipeline_env`), log in through the REST API, run every
dashboard chart's data endpoint, take a headless-Chromium screenshot, and stop it by PID.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "bi" / "bundle"
MARTS = ROOT / "dbt_project" / "models" / "marts"
TITLE = "Layanan Informasi Bulanan"


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _bundle(kind: str) -> dict[str, dict]:
    return {p.name: _yaml(p) for p in sorted((BUNDLE / kind).rglob("*.yaml"))}


# --- the bundle (fast) -----------------------------------------------------------


def test_requirements_are_pinned():
    lines = [ln.strip() for ln in (ROOT / "bi" / "requirements.txt").read_text().splitlines()]
    reqs = [ln for ln in lines if ln and not ln.startswith("#")]
    assert reqs, "bi/requirements.txt is empty"
    for req in reqs:
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^\s;]*", req), f"not pinned: {req}"
    names = {r.split("==")[0].lower().replace("_", "-") for r in reqs}
    assert {"apache-superset", "psycopg2-binary", "playwright", "flask-caching", "rich", "cachetools"} <= names
    assert "apache_superset==6.1.0" in reqs or "apache-superset==6.1.0" in reqs


def test_bundle_is_what_the_generator_writes():
    from bi import build_bundle as gen

    charts = _bundle("charts")
    assert len(charts) == len(gen._all_charts())
    for chart in gen._all_charts():
        committed = [c for c in charts.values() if c["uuid"] == chart.uuid]
        assert committed == [gen.chart_yaml(chart)], f"{chart.name}: run `python -m bi.build_bundle`"
    assert list(_bundle("dashboards").values()) == [gen.dashboard_yaml()]
    assert list(_bundle("databases").values()) == [gen.database_yaml()]


def test_dashboard_holds_every_chart_of_the_report():
    (dashboard,) = _bundle("dashboards").values()
    assert dashboard["dashboard_title"] == TITLE
    charts = _bundle("charts")
    in_layout = {
        v["meta"]["uuid"] for v in dashboard["position"].values() if isinstance(v, dict) and v.get("type") == "CHART"
    }
    assert in_layout == {c["uuid"] for c in charts.values()}
    names = " | ".join(c["slice_name"].lower() for c in charts.values())
    for topic in ("kanal", "segmen", "zona waktu", "jam layanan", "media sosial", "register"):
        assert topic in names, topic


def test_every_chart_reads_real_columns_of_a_mart_in_schema_marts():
    (database,) = _bundle("databases").values()
    datasets = {d["uuid"]: d for d in _bundle("datasets").values()}
    mart_models = {p.stem for p in MARTS.rglob("*.sql")}
    for ds in datasets.values():
        assert ds["schema"] == "marts", ds["table_name"]
        assert ds["sql"] is None, "physical datasets only (the marts are the contract)"
        assert ds["database_uuid"] == database["uuid"]
        assert ds["table_name"] in mart_models, f"{ds['table_name']} is not a dbt mart"
    for name, chart in _bundle("charts").items():
        ds = datasets[chart["dataset_uuid"]]
        columns = {c["column_name"] for c in ds["columns"]}
        params = chart["params"]
        used = set(params.get("groupby", [])) | {params.get("x_axis")} - {None}
        used |= {f["subject"] for f in params["adhoc_filters"]}
        metrics = params.get("metrics") or [params["metric"]]
        used |= {m["column"]["column_name"] for m in metrics}
        assert used <= columns, (name, used - columns)
        # the saved query context (GET /api/v1/chart/<id>/data) asks the same as the params
        qc = json.loads(chart["query_context"])
        assert qc["form_data"] == params
        assert qc["queries"][0]["metrics"] == metrics


def test_bundle_holds_no_credential():
    (database,) = _bundle("databases").values()
    assert database["sqlalchemy_uri"] == "__WAREHOUSE_BI_READER_URI__"
    for path in BUNDLE.rglob("*.yaml"):
        text = path.read_text()
        assert not re.search(r"://[^/\s:@]+:[^@\s]+@", text), f"{path} holds a login"


# --- a real Superset (slow) --------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie of ours counts as gone
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


@pytest.fixture(scope="module")
def bi_venv() -> Path:
    """.venv-bi as `make bi` has it: `make bi-install` installs only when bi/requirements.txt changed."""
    if not shutil.which("make"):
        pytest.skip("make is not installed: Superset's venv (.venv-bi) cannot be created")
    res = subprocess.run(
        ["make", "-C", str(ROOT), "bi-install"], capture_output=True, text=True, timeout=1800, check=False
    )
    if res.returncode != 0:
        pytest.skip(f"Superset's venv (.venv-bi) could not be created by `make bi-install`: {res.stderr[-800:]}")
    return ROOT / ".venv-bi"


@pytest.fixture(scope="module")
def superset(pipeline_env, bi_venv):
    port = _free_port()
    env = dict(pipeline_env.env, BI_VENV=str(bi_venv), BI_PORT=str(port))
    t0 = time.monotonic()
    res = subprocess.run(
        [sys.executable, "-m", "bi", "start"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    home = pipeline_env.base / "local" / "bi"
    pid = int((home / "superset.pid").read_text())
    info = {
        "base": f"http://127.0.0.1:{port}",
        "port": port,
        "env": env,
        "home": home,
        "pid": pid,
        "stdout": res.stdout + res.stderr,
        "seconds": time.monotonic() - t0,
        "admin": json.loads((home / "admin.json").read_text()),
        "reader": json.loads((home / "bi_reader.json").read_text()),
    }
    try:
        yield info
    finally:
        if _alive(pid):
            subprocess.run([sys.executable, "-m", "bi", "stop"], cwd=ROOT, env=env, capture_output=True, check=False)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def api(superset):
    import requests

    s = requests.Session()
    r = s.post(
        superset["base"] + "/api/v1/security/login",
        json={**superset["admin"], "provider": "db", "refresh": False},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    s.headers["Authorization"] = "Bearer " + r.json()["access_token"]
    return s


@pytest.mark.slow
def test_every_dashboard_chart_returns_rows(superset, api):
    base = superset["base"]
    dash = api.get(f"{base}/api/v1/dashboard/layanan-informasi-bulanan", timeout=30).json()["result"]
    assert dash["dashboard_title"] == TITLE
    charts = api.get(f"{base}/api/v1/dashboard/{dash['id']}/charts", timeout=30).json()["result"]
    assert len(charts) == len(_bundle("charts")) >= 8
    for chart in charts:
        r = api.get(f"{base}/api/v1/chart/{chart['id']}/data/", timeout=120)
        assert r.status_code == 200, (chart["slice_name"], r.text[:500])
        (result,) = r.json()["result"]
        assert result["rowcount"] > 0 and result["data"], chart["slice_name"]
    # the channel chart's December 2023 total is the mart's
    (channel,) = [c for c in charts if c["slice_name"] == "Konsultasi per kanal per bulan"]
    rows = api.get(f"{base}/api/v1/chart/{channel['id']}/data/", timeout=60).json()["result"][0]["data"]
    dec = sum(r["Konsultasi"] for r in rows if time.gmtime(r["month"] / 1000)[:2] == (2023, 12))
    assert dec > 0


@pytest.mark.slow
def test_the_connection_is_bi_reader_on_the_marts(superset, api):
    base = superset["base"]
    dbs = api.get(f"{base}/api/v1/database/", timeout=30).json()["result"]
    (db,) = [d for d in dbs if d["database_name"].startswith("Warehouse")]
    conn = api.get(f"{base}/api/v1/database/{db['id']}/connection", timeout=30).json()["result"]
    reader = superset["reader"]
    params = conn["parameters"]
    assert (params["username"], params["database"], params["port"]) == ("bi_reader", "warehouse", reader["port"])
    assert reader["password"] not in json.dumps(conn)
    assert reader["schema"] == "marts"

    # SQL Lab, through the API (CSRF token and Referer, as the browser sends them)
    api.headers["X-CSRFToken"] = api.get(f"{base}/api/v1/security/csrf_token/", timeout=30).json()["result"]
    api.headers["Referer"] = base

    def sql(statement: str):
        body = {"database_id": db["id"], "sql": statement, "runAsync": False, "schema": "marts"}
        return api.post(f"{base}/api/v1/sqllab/execute/", json=body, timeout=120)

    r = sql("select count(*) as n from marts.mart_monthly_channel_volume")
    assert r.status_code == 200 and r.json()["data"][0]["n"] > 0, r.text[:500]
    r = sql("select count(*) from raw._batches")  # the role reads the marts and nothing else
    assert r.status_code != 200 and "permission denied" in r.text, r.text[:500]
    r = sql("create table marts.mine (n int)")  # and Superset allows no DML on it
    assert r.status_code != 200, r.text[:500]


@pytest.mark.slow
def test_secrets_are_private_files_never_logged(superset):
    home = superset["home"]
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for name in ("admin.json", "bi_reader.json", "secret_key", "superset.db", "superset.log", "provision.log"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name
    logs = superset["stdout"] + "".join(
        (home / n).read_text(errors="replace") for n in ("superset.log", "provision.log")
    )
    for secret in (
        superset["admin"]["password"],
        superset["reader"]["password"],
        (home / "secret_key").read_text().strip(),
    ):
        assert secret not in logs
    assert "127.0.0.1" in superset["stdout"]
    print(f"superset provisioned and started in {superset['seconds']:.1f}s")


@pytest.mark.slow
def test_dashboard_screenshot_with_headless_chromium(superset, tmp_path):
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (make test-deps installs it as root)")
    out = tmp_path / "dashboard.png"
    res = subprocess.run(
        [sys.executable, "-m", "bi", "screenshot", "--port", str(superset["port"]), "--out", str(out)],
        cwd=ROOT,
        env=superset["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    assert superset["admin"]["password"] not in res.stdout + res.stderr


@pytest.mark.slow
def test_stop_ends_the_server_by_pid(superset):
    pid = superset["pid"]
    assert _alive(pid)
    res = subprocess.run(
        [sys.executable, "-m", "bi", "stop"], cwd=ROOT, env=superset["env"], capture_output=True, text=True
    )
    assert res.returncode == 0 and "superset stopped" in res.stdout, res.stdout + res.stderr
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(pid)
    assert not (superset["home"] / "superset.pid").exists()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", superset["port"])) != 0
