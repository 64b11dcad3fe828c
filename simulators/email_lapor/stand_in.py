"""Email Lapor stand-in for a local run: pymap on 127.0.0.1 with a fresh password."""

from __future__ import annotations

from pathlib import Path

from simulators.registry import RunningStandIn

CONN_ENVS = ["AIRFLOW_CONN_EMAIL_LAPOR_IMAP"]
# A restart serves the same mailbox (same UIDVALIDITY and UIDs); another value here
# simulates the mailbox moved to a new server (new UIDVALIDITY, same messages).
GENERATION_ENV = "EMAIL_LAPOR_STAND_IN_GENERATION"


def start(seed: int, workdir: Path) -> RunningStandIn:
    import json
    import os

    from simulators.email_lapor import ImapStandIn

    generation = int(os.environ.get(GENERATION_ENV) or 0)
    srv = ImapStandIn(seed=seed, workdir=workdir, generation=generation).start()
    info = {
        "imap": f"{srv.host}:{srv.port}",
        "mailbox": srv.mailbox,
        "messages": str(srv.delivered),
        "uidvalidity": str(srv.expected_uidvalidity),
    }
    return RunningStandIn("email_lapor", {CONN_ENVS[0]: json.dumps(srv.connection())}, srv.stop, info)
