"""The local runner behind `make run`, `make airflow` and `make dbt`.

    python -m pipeline run [--month 2023-12]   the whole pipeline, ending in out/reports/<month>/
    python -m pipeline airflow                 Airflow UI + scheduler on 127.0.0.1 (Ctrl-C stops all)
    python -m pipeline dag deskpro --full-refresh   one DAG once
    python -m pipeline backfill deskpro 2023-12-01 2023-12-31   one DAG run per day, no scheduler
    python -m pipeline dbt build -s +my_model  dbt against the warehouse
    python -m pipeline stop                    stop the embedded warehouse

Sources are read through their Airflow connections (``AIRFLOW_CONN_<ID>``, or
Airflow's own connection store). ``make run`` and ``make airflow`` wrap this
runner in ``python -m simulators.run``, which starts the local stand-in of every
source whose connection is not set; the product itself never starts or imports them.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger("pipeline")

DEFAULT_MONTH = "2023-12"


def _setup_warehouse():
    from pipeline.pseudonym_key import ensure_url as ensure_pseudonym_key
    from pipeline.settings import configure
    from warehouse.config import ensure_databases, resolve
    from warehouse.roles import ensure_bi_reader

    wh = resolve()
    ensure_databases(wh)
    ensure_bi_reader(wh)
    ensure_pseudonym_key(wh.url)
    extra = {"DJPK_TASK_RETRIES": os.environ.get("DJPK_TASK_RETRIES", "0")}
    reader = bi_reader_url(wh)
    if reader != wh.url:
        from urllib.parse import urlsplit, urlunsplit

        p = urlsplit(reader)
        extra["AIRFLOW_CONN_WAREHOUSE_BI"] = urlunsplit(("postgres", p.netloc, p.path, "", ""))
    configure(wh, extra)
    log.info("warehouse: %s", wh.redacted())
    return wh


def source_dags() -> list[str]:
    """Every registered source's DAG, in name order: they load raw.* independently."""
    from extractors.registry import NAMES

    return sorted(NAMES)


def dbt_parse() -> None:
    from pipeline.settings import bin_path

    project = os.environ["DBT_PROJECT_DIR"]
    subprocess.run(
        [bin_path("dbt"), "parse", "--quiet", "--project-dir", project, "--profiles-dir", project],
        check=True,
    )


def airflow_migrate() -> None:
    """``airflow db migrate``, skipped when this Airflow version already migrated this database."""
    import importlib.metadata

    import psycopg

    from pipeline.settings import bin_path

    home = Path(os.environ["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    version = importlib.metadata.version("apache-airflow-core")
    url = os.environ["AIRFLOW_DB_URL"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create table if not exists _djpk_migrated (airflow_version text primary key)")
        if conn.execute("select 1 from _djpk_migrated where airflow_version = %s", (version,)).fetchone():
            return
    subprocess.run([bin_path("airflow"), "db", "migrate"], check=True, stdout=subprocess.DEVNULL)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("insert into _djpk_migrated values (%s) on conflict do nothing", (version,))


def run_dag(dag_id: str, run_conf: dict | None = None, logical_date=None):
    """Run one DAG in this process with ``dag.test()`` and fail unless it succeeded."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.get_dag(dag_id)
    kwargs = {"run_conf": run_conf or {}}
    if logical_date is not None:
        kwargs["logical_date"] = logical_date
    started = time.monotonic()
    dr = dag.test(**kwargs)
    state = str(getattr(dr, "state", "unknown"))
    log.info("dag %s: %s in %.1fs", dag_id, state, time.monotonic() - started)
    if "success" not in state:
        raise RuntimeError(f"dag {dag_id} ended {state}")
    return dr


def cmd_run(args: argparse.Namespace) -> int:
    wh = _setup_warehouse()
    dbt_parse()
    airflow_migrate()
    for dag_id in source_dags():
        run_dag(dag_id, {"full_refresh": True})
    run_dag("transform")

    import psycopg

    from reporting.report import write_report
    from reporting.summary import write_summary

    out = Path(args.out).resolve()
    with psycopg.connect(bi_reader_url(wh)) as conn:
        paths = []
        for m in args.month:
            paths.append(("summary", write_summary(conn, m, out)))
            html, pdf = write_report(conn, m, out)
            paths += [("report", html), ("report", pdf)]
    print()
    for kind, p in paths:
        print(f"{kind}: {p}")
    print(f"warehouse: {wh.redacted()} (still running; `make stop` stops it)")
    return 0


def bi_reader_url(wh) -> str:
    """Outputs read the marts as BI tools do: as bi_reader when the role exists."""
    from warehouse.roles import reader_url

    return reader_url(wh) or wh.url


def cmd_dag(args: argparse.Namespace) -> int:
    """Run one DAG once, e.g. for a test or a reconcile."""
    import json

    _setup_warehouse()
    dbt_parse()
    airflow_migrate()
    conf = json.loads(args.conf) if args.conf else {}
    if args.full_refresh:
        conf["full_refresh"] = True
    if args.force_deletions:
        conf["force_deletions"] = True
    run_dag(args.dag_id, conf)
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    """Run a source DAG for each day of a range, as the scheduler's backfill would."""
    import datetime as dt

    _setup_warehouse()
    airflow_migrate()
    day = dt.datetime.fromisoformat(args.start).replace(tzinfo=dt.UTC)
    end = dt.datetime.fromisoformat(args.end).replace(tzinfo=dt.UTC)
    while day <= end:
        run_dag(args.dag_id, logical_date=day)
        day += dt.timedelta(days=1)
    if args.transform:
        run_dag("transform")
    return 0


def cmd_dbt(args: argparse.Namespace) -> int:
    from pipeline.settings import bin_path

    _setup_warehouse()
    project = os.environ["DBT_PROJECT_DIR"]
    dbt_args = args.dbt_args or ["build"]
    return subprocess.call([bin_path("dbt"), *dbt_args, "--project-dir", project, "--profiles-dir", project])


def cmd_airflow(args: argparse.Namespace) -> int:
    """Airflow standalone (API server + scheduler + dag processor + triggerer) on 127.0.0.1."""
    from pipeline.settings import bin_path

    _setup_warehouse()
    dbt_parse()
    airflow_migrate()
    # SIGINT must reach a child that does not ignore it: standalone orphans its
    # workers on SIGTERM, but shuts them down on SIGINT.
    # standalone starts its components as `airflow ...` from PATH: put this venv first
    env = {**os.environ, "PATH": f"{Path(bin_path('airflow')).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.Popen(
        [bin_path("airflow"), "standalone"],
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    print(
        f"Airflow on http://127.0.0.1:{os.environ['AIRFLOW__API__PORT']} "
        f"(login in {os.environ['AIRFLOW_HOME']}/simple_auth_manager_passwords.json.generated); Ctrl-C stops it"
    )
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        try:
            return proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()


def cmd_stop(args: argparse.Namespace) -> int:
    from warehouse.config import local_dir
    from warehouse.embedded import EmbeddedPostgres

    EmbeddedPostgres(local_dir() / "warehouse").stop()
    print("warehouse stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m pipeline", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the whole pipeline and write the month's outputs")
    run.add_argument("--month", action="append", help="YYYY-MM (repeatable); default 2023-12")
    run.add_argument("--out", default=os.environ.get("PROJECT_OUT_DIR", "out"))
    sub.add_parser("airflow", help="Airflow UI and scheduler for monitoring, triggering, backfilling")
    one = sub.add_parser("dag", help="run one DAG once with dag.test()")
    one.add_argument("dag_id")
    one.add_argument("--conf", help="run conf as JSON")
    one.add_argument("--full-refresh", action="store_true")
    one.add_argument(
        "--force-deletions",
        action="store_true",
        help="let a full refresh delete although its listing is not proved complete",
    )
    bf = sub.add_parser("backfill", help="run a source DAG for each day of a range (no scheduler needed)")
    bf.add_argument("dag_id")
    bf.add_argument("start", help="first logical date, YYYY-MM-DD")
    bf.add_argument("end", help="last logical date, YYYY-MM-DD")
    bf.add_argument("--transform", action="store_true", help="rebuild the marts afterwards")
    dbt = sub.add_parser("dbt", help="run dbt against the warehouse")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    sub.add_parser("stop", help="stop the embedded warehouse")
    args = ap.parse_args(argv)
    if args.command == "run":
        args.month = args.month or [DEFAULT_MONTH]
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    commands = {
        "run": cmd_run,
        "dag": cmd_dag,
        "backfill": cmd_backfill,
        "airflow": cmd_airflow,
        "dbt": cmd_dbt,
        "stop": cmd_stop,
    }
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
