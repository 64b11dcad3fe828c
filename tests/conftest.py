"""Shared fixtures: a throwaway embedded PostgreSQL for the whole test session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]

# Airflow reads its configuration once, at first import: set it before any test imports it.
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="djpk-xdg-"))
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="djpk-airflow-"))
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] = "False"
os.environ.pop("DJPK_TASK_RETRIES", None)


# The pseudonymisation key of tests that run dbt without the pipeline (which provisions one).
TEST_PSEUDONYM_KEY = "djpk-test-pseudonym-key-0123456789abcdef"


def provision_pseudonym_key(db_url: str, key: str = TEST_PSEUDONYM_KEY) -> str:
    """Put ``key`` into private.pseudonym_key of ``db_url``, as the pipeline does before dbt."""
    from pipeline.pseudonym_key import provision

    with psycopg.connect(db_url) as conn:
        return provision(conn, key)


# Parallel runs (pytest-xdist, two workers: pyproject's addopts). Every test module that uses the
# session's built warehouse (`pipeline_env`) is in one work unit, run in order on one worker, which builds
# it once; every other test is a unit of its own, spread over the workers, each worker with its own
# PostgreSQL server (pg_server). xdist's own `--dist loadgroup` cannot do it with pytest 9 (it renames
# node ids through an attribute pytest 9 no longer reads).
PIPELINE_GROUP = "pipeline"


def pipeline_modules(tests_dir: Path = Path(__file__).parent) -> set[str]:
    """The test modules that use the session's built pipeline, or say `XDIST_UNIT = "pipeline"` (tests that
    start a whole Airflow, which must not run beside another one: two at once did not stop on Ctrl-C in
    time); read, not imported."""
    return {
        f"tests/{p.name}"
        for p in tests_dir.glob("test_*.py")
        if "pipeline_env" in (text := p.read_text()) or f'XDIST_UNIT = "{PIPELINE_GROUP}"' in text
    }


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    modules = pipeline_modules()

    class PipelineInOneUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return PIPELINE_GROUP if nodeid.split("::", 1)[0] in modules else nodeid

    return PipelineInOneUnit(config, log)


@pytest.fixture(scope="session")
def dbt_manifest(tmp_path_factory) -> Path:
    """The project's manifest.json, as `python -m pipeline` writes it (no database needed), parsed into a
    target folder of this session's own (parallel workers never share one)."""
    import subprocess
    import sys

    project = ROOT / "dbt_project"
    target = tmp_path_factory.mktemp("dbt-parse")
    env = {**os.environ, "WAREHOUSE_USER": "parse", "DBT_ENV_SECRET_WAREHOUSE_PASSWORD": "parse"}
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--project-dir", str(project), "--profiles-dir", str(project)]
        + ["--target-path", str(target / "target"), "--log-path", str(target / "logs")],
        check=True,
        env=env,
    )
    return target / "target" / "manifest.json"


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """A real PostgreSQL 18 server of its own (fsync off), removed after the session."""
    from warehouse.embedded import EmbeddedPostgres

    pg = EmbeddedPostgres(tmp_path_factory.mktemp("warehouse"), fsync=False)
    info = pg.start()
    try:
        yield info
    finally:
        pg.destroy()


@pytest.fixture()
def db_url(pg_server, request):
    """A fresh database on the session server for one test."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    admin = pg_server.url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    yield pg_server.url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture()
def conn(db_url):
    with psycopg.connect(db_url) as c:
        yield c


@pytest.fixture()
def landing(tmp_path) -> Path:
    return tmp_path / "landing"


class PipelineEnv:
    """Runs `python -m pipeline ...` in a subprocess against a throwaway local setup
    (own embedded warehouse, Airflow home, landing and output folders)."""

    def __init__(self, base: Path):
        self.base = base
        self.out = base / "out"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "WAREHOUSE", "DBT_"))}
        self.env.update(
            DJPK_LOCAL_DIR=str(base / "local"), LANDING_DIR=str(base / "landing"), PROJECT_OUT_DIR=str(self.out)
        )

    def run(self, *args: str, check: bool = True):
        import subprocess
        import sys

        # as `make run` does: the stand-ins of the sources run around the pipeline
        res = subprocess.run(
            [sys.executable, "-m", "simulators.run", "--", sys.executable, "-m", "pipeline", *args],
            env=self.env,
            capture_output=True,
            text=True,
        )
        if check:
            assert res.returncode == 0, res.stdout[-5000:] + res.stderr[-5000:]
        return res

    @property
    def warehouse_url(self) -> str:
        import subprocess
        import sys

        return subprocess.run(
            [sys.executable, "-m", "warehouse", "url", "--show-password"],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    @property
    def pseudonym_key(self) -> str:
        """The pseudonymisation key the pipeline generated for this setup (its local dir)."""
        return (self.base / "local" / "secrets" / "pseudonym_key").read_text().strip()

    def query(self, sql: str, params=None) -> list[tuple]:
        with psycopg.connect(self.warehouse_url) as conn:
            return conn.execute(sql, params).fetchall()

    def destroy(self) -> None:
        import subprocess
        import sys

        subprocess.run(
            [
                sys.executable,
                "-c",
                "from warehouse.embedded import EmbeddedPostgres; from warehouse.config import local_dir; "
                "EmbeddedPostgres(local_dir() / 'warehouse').destroy()",
            ],
            env=self.env,
            check=False,
        )


@pytest.fixture(scope="session")
def pipeline_env(tmp_path_factory):
    """One throwaway pipeline setup shared by every test that runs DAGs (slow tests).

    It starts with one whole `pipeline run` (every source DAG, transform, outputs), so
    every raw table exists: a test may then rerun its own source DAG and `transform`.
    """
    env = PipelineEnv(tmp_path_factory.mktemp("pipeline"))
    try:
        env.first_run = env.run("run", "--month", "2023-12", "--month", "2023-11")
        yield env
    finally:
        env.destroy()
