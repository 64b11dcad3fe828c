"""python -m bi {start|stop|status|screenshot}: Superset on the warehouse's marts (`make bi`).

``start`` (re)provisions and starts Superset on http://127.0.0.1:<port> (``BI_PORT``, default
8088) in the background, from Superset's own venv (``.venv-bi/``, ``BI_VENV``). Its state is
in ``$DJPK_LOCAL_DIR/bi/`` (``.local/bi/``, 0700):

- ``superset.db``     Superset's metadata (SQLite)
- ``secret_key``      Superset's SECRET_KEY (0600, generated once)
- ``admin.json``      the Superset admin's login (0600, generated once; never printed)
- ``bi_reader.json``  the warehouse login of the role ``bi_reader`` for any SQL or BI tool (0600)
- ``superset.pid``, ``superset.log``, ``provision.log``

``stop`` stops the server it started, by the PID in ``superset.pid``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BI_DIR = ROOT / "bi"
DEFAULT_PORT = 8088
DASHBOARD_SLUG = "layanan-informasi-bulanan"


def bi_home() -> Path:
    from warehouse.config import local_dir

    return local_dir() / "bi"


def bi_venv() -> Path:
    return Path(os.environ.get("BI_VENV", ROOT / ".venv-bi")).absolute()


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600 from the start (never world-readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def _private_dir(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o700)
    return home


def ensure_secrets(home: Path) -> dict:
    """Superset's SECRET_KEY and the admin's login, generated once (0600)."""
    key = home / "secret_key"
    if not key.exists():
        _write_private(key, secrets.token_urlsafe(42) + "\n")
    admin = home / "admin.json"
    if not admin.exists():
        _write_private(admin, json.dumps({"username": "admin", "password": secrets.token_urlsafe(18)}) + "\n")
    return json.loads(admin.read_text())


def admin_login(home: Path | None = None) -> dict:
    return json.loads(((home or bi_home()) / "admin.json").read_text())


def warehouse_reader(home: Path) -> dict:
    """bi_reader's login, as the warehouse exposes it (warehouse/roles.py), kept in bi_reader.json (0600)."""
    import psycopg

    from warehouse.config import resolve
    from warehouse.roles import ROLE, reader_url

    wh = resolve()  # starts the embedded warehouse when it is not running
    url = reader_url(wh)
    if url is None:
        raise SystemExit(
            "no password for bi_reader: set BI_READER_PASSWORD (with WAREHOUSE_URL), or build the "
            "embedded warehouse first with `make run`"
        )
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            marts = conn.execute(
                "select count(*) from information_schema.tables where table_schema = 'marts'"
            ).fetchone()[0]
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"bi_reader cannot log in to the warehouse ({type(exc).__name__}): run `make run` first"
        ) from None
    if not marts:
        print("warning: bi_reader sees no table in schema marts yet; build them with `make run`", file=sys.stderr)
    p = urlsplit(url)

    creds = {
        "host": p.hostname,
        "port": p.port or 5432,
        "database": p.path.lstrip("/"),
        "user": ROLE,
        "password": unquote(p.password or ""),
        "schema": "marts",
        "url": url,
    }
    _write_private(home / "bi_reader.json", json.dumps(creds, indent=2) + "\n")
    return creds


def superset_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPERSET_", "FLASK_", "PYTHONPATH"))}
    env.update(
        SUPERSET_CONFIG_PATH=str(BI_DIR / "superset_config.py"),
        BI_HOME=str(home),
        FLASK_APP="superset.app:create_app()",
        PYTHONUNBUFFERED="1",
    )
    return env


def provision(home: Path, creds: dict) -> dict:
    """Migrate Superset's metadata, create the admin, import bi/bundle with the warehouse connection."""
    uri = (
        f"postgresql+psycopg2://{quote(creds['user'], safe='')}:{quote(creds['password'], safe='')}"
        f"@{creds['host']}:{creds['port']}/{creds['database']}"
    )
    env = superset_env(home)
    env.update(BI_WAREHOUSE_URI=uri, BI_ADMIN_FILE=str(home / "admin.json"))
    log = home / "provision.log"
    with open(log, "w") as fh:
        os.chmod(log, 0o600)
        res = subprocess.run(
            [str(bi_venv() / "bin" / "python"), str(BI_DIR / "provision.py"), str(BI_DIR / "bundle")],
            env=env,
            cwd=str(home),
            stdout=subprocess.PIPE,
            stderr=fh,
            text=True,
        )
    if res.returncode != 0:
        tail = log.read_text()[-3000:].replace(creds["password"], "***")
        raise SystemExit(f"Superset provisioning failed (see {log}):\n{tail}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _pid(home: Path) -> int | None:
    pidfile = home / "superset.pid"
    if not pidfile.exists():
        return None
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
    except (ProcessLookupError, ValueError):
        return None
    # a PID the system has since given to another program is not ours to signal
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and b"superset.app:create_app" not in cmdline.read_bytes():
        return None
    return pid


def _port_open(port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_healthy(base_url: str, timeout: float = 240.0, pid: int | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is not None:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                raise SystemExit("Superset exited while starting; see its log") from None
        try:
            with urllib.request.urlopen(base_url + "/health", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"Superset did not answer on {base_url}/health within {timeout:.0f}s")


def start(port: int) -> dict:
    """Provision and start Superset in the background; returns pid, url, timings."""
    t0 = time.monotonic()
    venv = bi_venv()
    if not (venv / "bin" / "gunicorn").exists():
        raise SystemExit(f"no Superset venv at {venv}: run `make bi`, which creates it")
    home = _private_dir(bi_home())
    ensure_secrets(home)
    creds = warehouse_reader(home)
    result = provision(home, creds)
    t_provisioned = time.monotonic()
    for private in home.glob("superset.db*"):  # holds the warehouse login (encrypted) and password hashes
        private.chmod(0o600)
    base_url = f"http://127.0.0.1:{port}"
    pid = _pid(home)
    if pid is None:
        if _port_open(port):
            raise SystemExit(f"port {port} is taken by another program: choose another with BI_PORT=...")
        log = os.fdopen(os.open(home / "superset.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        os.fchmod(log.fileno(), 0o600)  # also when an older log was created otherwise
        proc = subprocess.Popen(
            [
                str(venv / "bin" / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                "8",
                "--timeout",
                "120",
                "--limit-request-line",
                "0",
                "superset.app:create_app()",
            ],
            env=superset_env(home),
            cwd=str(home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group: `stop` ends it and its workers by this PID
        )
        log.close()
        pid = proc.pid
        _write_private(home / "superset.pid", f"{pid}\n")
        (home / "superset.port").write_text(f"{port}\n")
    else:
        port = int((home / "superset.port").read_text())
        base_url = f"http://127.0.0.1:{port}"
    wait_healthy(base_url, pid=pid)
    return {
        "pid": pid,
        "url": base_url,
        "dashboard_url": f"{base_url}/superset/dashboard/{result['slug']}/",
        "dashboard_id": result["dashboard_id"],
        "charts": result["charts"],
        "provision_seconds": round(t_provisioned - t0, 1),
        "start_seconds": round(time.monotonic() - t0, 1),
        "home": str(home),
    }


def stop(home: Path | None = None, timeout: float = 30.0) -> bool:
    home = home or bi_home()
    pid = _pid(home)
    pidfile = home / "superset.pid"
    if pid is None:
        pidfile.unlink(missing_ok=True)
        return False
    os.killpg(pid, signal.SIGTERM)  # the group gunicorn leads (start_new_session), by its PID
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.3)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
    return True


def screenshot(out: Path, port: int | None = None) -> Path:
    home = bi_home()
    if port is None:
        port = int((home / "superset.port").read_text()) if (home / "superset.port").exists() else DEFAULT_PORT
    env = superset_env(home)
    env["BI_ADMIN_FILE"] = str(home / "admin.json")
    subprocess.run(
        [
            str(bi_venv() / "bin" / "python"),
            str(BI_DIR / "screenshot.py"),
            f"http://127.0.0.1:{port}",
            DASHBOARD_SLUG,
            str(out),
        ],
        env=env,
        check=True,
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bi", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    ap.add_argument("command", choices=["start", "stop", "status", "screenshot"])
    ap.add_argument("--port", type=int, help=f"default: BI_PORT, else {DEFAULT_PORT}; screenshot: the running server's")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "superset-dashboard.png")
    args = ap.parse_args(argv)
    if args.command == "start":
        info = start(args.port or int(os.environ.get("BI_PORT") or DEFAULT_PORT))
        home = Path(info["home"])
        print(
            f"superset: {info['dashboard_url']} (pid {info['pid']}, {info['charts']} charts, "
            f"ready in {info['start_seconds']}s)\n"
            f"login: {home / 'admin.json'} (0600)\n"
            f"bi_reader for SQL tools: {home / 'bi_reader.json'} (0600)\n"
            "`make bi-stop` stops it"
        )
    elif args.command == "stop":
        print("superset stopped" if stop() else "superset was not running")
    elif args.command == "status":
        pid = _pid(bi_home())
        print(f"running (pid {pid})" if pid else "stopped")
        return 0 if pid else 3
    elif args.command == "screenshot":
        print(f"screenshot: {screenshot(args.out, args.port)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
