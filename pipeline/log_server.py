"""Airflow's log server (task and triggerer logs for the UI while a task runs), on 127.0.0.1 only.

Airflow's own (``airflow scheduler`` / ``airflow triggerer`` without ``--skip-serve-logs``)
binds every interface (``[::]`` or ``0.0.0.0``) and has no setting for the address, so
``make airflow`` starts the components with ``--skip-serve-logs`` and this one server
instead: the same application (JWT-signed requests, the same log folder), on
``[logging] worker_log_server_port``, which is also the triggerer's port here.

    python -m pipeline.log_server
"""

from __future__ import annotations


def main() -> None:
    import uvicorn
    from airflow.configuration import conf

    from pipeline.settings import LOOPBACK

    uvicorn.run(
        "airflow.utils.serve_logs.log_server:get_app",
        factory=True,
        host=LOOPBACK,
        port=conf.getint("logging", "worker_log_server_port"),
        log_level="warning",
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
