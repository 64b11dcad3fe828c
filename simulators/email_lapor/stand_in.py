"""Email Lapor stand-in for a local run: pymap on 127.0.0.1 with a fresh password."""

from __future__ import annotations

from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_EMAIL_LAPOR_IMAP"]


def start(seed: int, workdir: Path) -> RunningStandIn:
    import json

    from simulators.email_lapor import ImapStandIn

    srv = ImapStandIn(seed=seed, workdir=workdir).start()
    info = {"imap": f"{srv.host}:{srv.port}", "mailbox": srv.mailbox, "messages": str(srv.delivered)}
    return RunningStandIn("email_lapor", {CONN_ENVS[0]: json.dumps(srv.connection())}, srv.stop, info)
