"""WhatsApp stand-in for a local run: the product's own receiver, fed like Meta feeds it.

``start`` generates the world (cached, see ``feed.cache_root``), starts the
webhook receiver (``python -m extractors.whatsapp.receiver``, a subprocess on
127.0.0.1 and a free port, with a fresh app secret and verify token), answers its
verification handshake, posts the recent part of the world as signed webhook
deliveries (redeliveries included) and leaves the older history as a BSP export.
The connection it provides, ``whatsapp_files``, points the DAG at both:

    AIRFLOW_CONN_WHATSAPP_FILES='{"conn_type": "fs", "extra": {"spool_dir": ..., "export_dir": ...}}'
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_WHATSAPP_FILES"]
ROOT = Path(__file__).resolve().parents[2]


# Runs the receiver so that it dies with the process that started it (Linux PR_SET_PDEATHSIG,
# kept across exec): a stand-in receiver never outlives the run it belongs to.
_LAUNCH = """
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)
os.execv(sys.executable, [sys.executable, "-m", "extractors.whatsapp.receiver", *sys.argv[2:]])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Receiver:
    """The receiver as a subprocess (as it runs in production: its own process)."""

    spool_dir: Path
    log_path: Path
    app_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    verify_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def start(self, timeout: float = 30.0) -> Receiver:
        env = {
            **os.environ,
            "WHATSAPP_APP_SECRET": self.app_secret,
            "WHATSAPP_VERIFY_TOKEN": self.verify_token,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        env.pop("AIRFLOW_CONN_WHATSAPP_WEBHOOK", None)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            self.port = free_port()
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        _LAUNCH,
                        str(os.getpid()),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(self.port),
                        "--spool",
                        str(self.spool_dir),
                        "--log-level",
                        "warning",
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            if self._wait_ready(timeout):
                return self
            self.stop()
        raise RuntimeError(f"whatsapp receiver did not start; see {self.log_path}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                r = requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                if r.status_code == 200 and r.json().get("status") == "ok":
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.1)
        return False

    def kill(self) -> None:
        """SIGKILL: what a crash looks like."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def post_all(receiver: Receiver, bodies_file: Path, workers: int = 4) -> dict[str, int]:
    """Post every body of ``bodies_file`` (one per line), signed, as Meta would; returns status counts.

    Several deliveries are in flight at once, as with Meta; a redelivered body may
    therefore race its first copy, which the receiver must store once all the same.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from extractors.whatsapp.signature import HEADER, sign

    local = threading.local()

    def post(body: bytes) -> int:
        if not hasattr(local, "s"):
            local.s = requests.Session()
        r = local.s.post(
            receiver.url,
            data=body,
            timeout=30,
            headers={"Content-Type": "application/json", HEADER: sign(receiver.app_secret, body)},
        )
        return r.status_code

    with open(bodies_file, "rb") as fh:
        bodies = [line.rstrip(b"\n") for line in fh]
    counts: dict[str, int] = {}
    with ThreadPoolExecutor(workers) as pool:
        for code in pool.map(post, bodies):
            counts[str(code)] = counts.get(str(code), 0) + 1
    if set(counts) != {"200"}:
        raise RuntimeError(f"whatsapp receiver refused signed deliveries: {counts}")
    return counts


def handshake(receiver: Receiver) -> None:
    challenge = secrets.token_hex(8)
    r = requests.get(
        receiver.url,
        params={"hub.mode": "subscribe", "hub.verify_token": receiver.verify_token, "hub.challenge": challenge},
        timeout=10,
    )
    if r.status_code != 200 or r.text != challenge:
        raise RuntimeError(f"whatsapp receiver failed the verification handshake ({r.status_code})")


def start(seed: int, workdir: Path) -> RunningStandIn:
    from simulators.whatsapp.feed import EXPORT_NAME, build

    workdir = Path(workdir)
    started = time.monotonic()
    cached_export, bodies = build(seed=seed)
    key = cached_export.parent.parent.name
    # The export is copied into the workdir (the cache may be pruned while a DAG reads it).
    # The spool survives restarts of the same world (redelivered bodies are then not
    # stored again); spools and exports of other worlds are removed.
    for old in [*workdir.glob("spool-*"), *workdir.glob("export-*")]:
        if not old.name.endswith(key):
            shutil.rmtree(old, ignore_errors=True)
    export = workdir / f"export-{key}" / EXPORT_NAME
    if not export.exists():
        export.parent.mkdir(parents=True, exist_ok=True)
        tmp = export.with_suffix(f".{os.getpid()}.tmp")
        try:
            os.link(cached_export, tmp)
        except OSError:
            shutil.copyfile(cached_export, tmp)
        tmp.replace(export)
    spool = workdir / f"spool-{key}"
    receiver = Receiver(spool, workdir / "receiver.log").start()
    try:
        handshake(receiver)
        counts = post_all(receiver, bodies)
    except BaseException:
        receiver.stop()
        raise
    conn = json.dumps({"conn_type": "fs", "extra": {"spool_dir": str(spool), "export_dir": str(export.parent)}})
    info = {
        "receiver": receiver.url,
        "spool": str(spool),
        "export": str(export),
        "deliveries": str(sum(counts.values())),
        "seconds": f"{time.monotonic() - started:.1f}",
    }
    return RunningStandIn("whatsapp", {CONN_ENVS[0]: conn}, receiver.stop, info)
