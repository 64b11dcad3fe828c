"""The local runner behind `make run`, `make airflow` and `make dbt`.

    python -m pipeline run [--month 2023-12]   the whole pipeline, ending in out/reports/<month>/
    python -m pipeline airflow                 Airflow UI, scheduler, ... on 127.0.0.1 (Ctrl-C stops all)
    python -m pipeline airflow --executor celery   the same with Redis and two Celery workers
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
import contextlib
import io
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger("pipeline")

DEFAULT_MONTH = "2023-12"


def _setup_warehouse(executor: str = "local"):
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
    configure(wh, extra, executor=executor)
    log.info("warehouse: %s", wh.redacted())
    return wh


def source_dags() -> list[str]:
    """Every registered source's DAG, in name order: they load raw.* independently."""
    from extractors.registry import NAMES

    return sorted(NAMES)


# Sources whose incremental run reads from the state it stored in the warehouse (files,
# workbooks or exports already loaded and unchanged, the mailbox's UID cursor), never from the run's
# data interval: after a first load, an incremental run gets everything new however long
# ago the last run was. The others (APIs read by date windows) are read whole by every
# `make run`, which has no schedule to bound their windows.
INCREMENTAL_BY_STATE = ("avaya", "email_lapor", "employee_advocacy", "registers")


def refresh_conf(dag_id: str, wh_url: str, force: bool = False) -> dict:
    """A `make run`'s conf for a source DAG: a full refresh, unless the source reads by stored state
    and has been loaded before (then incremental: only new files, workbooks or messages)."""
    import psycopg

    if force or dag_id not in INCREMENTAL_BY_STATE:
        return {"full_refresh": True}
    with psycopg.connect(wh_url) as conn:
        if conn.execute("select to_regclass('raw._batches')").fetchone()[0] is None:
            return {"full_refresh": True}
        loaded = conn.execute("select exists (select from raw._batches where source = %s)", (dag_id,)).fetchone()[0]
    return {} if loaded else {"full_refresh": True}


# dbt commands that parse the project. Given the profile and target by name, as Cosmos gives them
# (dags/transform.py), their target/partial_parse.msgpack is one the transform DAG can reuse: dbt
# re-parses everything when the command line's profile, target or vars differ.
DBT_PARSING_COMMANDS = {"build", "run", "test", "parse", "compile", "ls", "list", "seed", "snapshot", "show", "docs"}


def dbt_profile_args(dbt_args: list[str]) -> list[str]:
    """`--profile djpk --target warehouse` for a parsing command that names neither."""
    if not dbt_args or dbt_args[0] not in DBT_PARSING_COMMANDS:
        return []
    named = {a.split("=")[0] for a in dbt_args}
    return [] if named & {"--profile", "--target", "-t"} else ["--profile", "djpk", "--target", "warehouse"]


def dbt_parse() -> None:
    from pipeline.settings import bin_path

    project = os.environ["DBT_PROJECT_DIR"]
    subprocess.run(
        [bin_path("dbt"), "parse", "--quiet", "--project-dir", project, "--profiles-dir", project]
        + dbt_profile_args(["parse"]),
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

    os.environ["DJPK_DEADLINE_ALERTS"] = "0"  # dag.test() cannot run DAGs with deadlines (pipeline.alerts)

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
    """The whole pipeline, talking like a tool: a line per step, a summary, the full log in a file."""
    from pipeline.console import Console, run_log_path

    console = Console(run_log_path())
    started = time.monotonic()
    console.line(f"make run: month {', '.join(args.month)}; full log: {console.log_path}")
    try:
        return _run_steps(args, console, started)
    except KeyboardInterrupt:
        log.warning("make run interrupted")
        console.line(f"interrupted; full log: {console.log_path}")
        return 130
    except Exception as exc:  # say what failed and where to read more, not a traceback on the terminal
        log.exception("make run failed")
        step = getattr(exc, "djpk_step", "warehouse")
        console.line(f"FAILED at {step}: {type(exc).__name__}: {str(exc)[:500]}")
        for line in console.failure_lines():
            console.line(f"  {line}")
        console.line(f"full log: {console.log_path}")
        return 1


def _run_steps(args: argparse.Namespace, console, started: float) -> int:
    from pipeline.console import REJECTS_WHERE, dbt_counts, fmt_seconds, load_totals, source_table, step_line, xcom

    def timed(name: str, fn):
        t0 = time.monotonic()
        try:
            return fn(), time.monotonic() - t0
        except Exception as exc:
            with contextlib.suppress(AttributeError):
                exc.djpk_step = name  # which step failed, for the terminal
            raise

    wh, secs = timed("warehouse", lambda: (_setup_warehouse(), dbt_parse(), airflow_migrate())[0])
    console.line(step_line("warehouse", secs, f"{wh.redacted()}, Airflow metadata ready"))
    loaded: dict[str, dict[str, int]] = {}
    for dag_id in source_dags():
        conf = refresh_conf(dag_id, wh.url, args.full_refresh)
        dr, secs = timed(dag_id, lambda d=dag_id, c=conf: run_dag(d, c))
        t = load_totals(xcom(dag_id, dr.run_id, "load"))
        loaded[dag_id] = t
        console.line(
            step_line(
                dag_id,
                secs,
                f"{t['rows']:>9,} rows in {t['streams']} streams, {t['rejected']:,} rejected, {t['deleted']:,} deleted"
                + ("" if conf else " (incremental)"),
            )
        )
    conf = {"full_build": True} if args.full_refresh else None
    dr, secs = timed("transform", lambda: run_dag("transform", conf))
    dbt = dbt_counts(xcom("transform", dr.run_id, "dbt_build", key="dbt_summary"))
    scope = (xcom("transform", dr.run_id, "plan_build") or {}).get("description", "")
    console.line(step_line("transform", secs, f"dbt build: {dbt}"))
    if scope:
        console.line(" " * 33 + f"scope: {scope}")

    import psycopg

    from reporting.report import write_report
    from reporting.summary import write_summary

    out = Path(args.out).resolve()
    paths = []

    def render():
        with psycopg.connect(bi_reader_url(wh)) as conn:
            for m in args.month:
                paths.append(("summary", write_summary(conn, m, out)))
                html, pdf = write_report(conn, m, out)
                paths.extend([("report", html), ("report", pdf)])

    _, secs = timed("report", render)
    console.line(step_line("report", secs, f"{', '.join(args.month)} rendered from the marts as bi_reader"))

    console.line()
    for line in source_table(loaded):
        console.line(line)
    rejected = sum(t["rejected"] for t in loaded.values())
    console.line(f"rejected records: {rejected:,} this run; see {REJECTS_WHERE}")
    console.line(f"dbt: {dbt}")
    for kind, p in paths:
        console.line(f"{kind}: {p}")
    console.line(f"warehouse: {wh.redacted()} (still running; `make stop` stops it)")
    console.line(f"log: {console.log_path}")
    console.line(f"total time: {fmt_seconds(time.monotonic() - started)}")
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
        conf["full_build" if args.dag_id.startswith("transform") else "full_refresh"] = True
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
    return subprocess.call(
        [bin_path("dbt"), *dbt_args, "--project-dir", project, "--profiles-dir", project, *dbt_profile_args(dbt_args)]
    )


# What `make airflow` runs: Airflow's four components and the log server, each bound to 127.0.0.1.
# (`airflow standalone` cannot be told to skip its log servers, which bind every interface.)
# With the CeleryExecutor (`make airflow EXECUTOR=celery`) also Redis, first, and two Celery workers.
def airflow_components(executor: str = "local") -> dict[str, list[str]]:
    from pipeline.settings import CELERY_CONCURRENCY, CELERY_WORKERS, LOOPBACK, airflow_ports, bin_path

    airflow = bin_path("airflow")
    components = {
        "api-server": [airflow, "api-server", "--host", LOOPBACK, "--port", str(airflow_ports()["api"])],
        "scheduler": [airflow, "scheduler", "--skip-serve-logs"],
        "dag-processor": [airflow, "dag-processor"],
        "triggerer": [airflow, "triggerer", "--skip-serve-logs"],
        "log-server": [sys.executable, "-m", "pipeline.log_server"],
    }
    if executor != "celery":
        return components
    # the password is in the 0600 config file, never on a command line; no RDB or AOF files (a broker of a
    # local session: queued messages do not outlive it)
    redis = [shutil.which("redis-server") or "redis-server", str(redis_config_file())]
    redis += ["--bind", LOOPBACK, "--port", os.environ["REDIS_PORT"], "--save", "", "--appendonly", "no"]
    workers = {
        # --skip-serve-logs: pipeline.log_server serves the task logs (Airflow's binds every interface)
        name: [airflow, "celery", "worker", "--celery-hostname", f"{name}@%h"]
        + ["--concurrency", str(CELERY_CONCURRENCY), "--skip-serve-logs"]
        for name in CELERY_WORKERS
    }
    return {"redis": redis, **components, **workers}


def redis_config_file() -> Path:
    from warehouse.config import local_dir

    return local_dir() / "redis" / "redis.conf"


def write_redis_config() -> Path:
    """The broker's config file (0600, in a 0700 folder): its password and working folder."""
    from pipeline.settings import redis_password

    path = redis_config_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.parent.chmod(0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f'requirepass "{redis_password()}"\nprotected-mode yes\ndir "{path.parent}"\n')
    path.chmod(0o600)
    return path


def wait_for_redis(proc: subprocess.Popen, port: int, timeout: float = 60) -> None:
    """Until Redis answers PING (after AUTH) on 127.0.0.1:port; fail if it exits or does not answer."""
    from pipeline.settings import LOOPBACK, redis_password

    request = f"AUTH {redis_password()}\r\nPING\r\n".encode()
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited ({proc.returncode})")
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), timeout=2) as s:
            s.sendall(request)
            answer = b""
            while b"PONG" not in answer and b"-" not in answer and len(answer) < 64:
                chunk = s.recv(64)
                if not chunk:
                    break
                answer += chunk
            if answer.startswith(b"+OK\r\n+PONG"):
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"redis-server does not answer PING on {LOOPBACK}:{port}")
        time.sleep(0.2)


def start_airflow(log_dir: Path, executor: str = "local") -> dict[str, subprocess.Popen]:
    """Start every component in its own session (so that Ctrl-C reaches them only through us).
    Redis (CeleryExecutor) first: the others start once it answers PING."""
    from pipeline.settings import bin_path

    # the components start further `airflow ...` from PATH: put this venv first
    env = {**os.environ, "PATH": f"{Path(bin_path('airflow')).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    components = airflow_components(executor)
    if "redis" in components:
        if not shutil.which(components["redis"][0]):
            raise RuntimeError(
                "the CeleryExecutor needs redis-server (Debian: apt-get install redis-server; "
                "`make airflow EXECUTOR=celery` installs it when run as root)"
            )
        write_redis_config()
    procs = {}
    try:
        for name, cmd in components.items():
            out = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it open
            os.chmod(out.name, 0o600)
            procs[name] = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            out.close()
            if name == "redis":
                wait_for_redis(procs[name], int(os.environ["REDIS_PORT"]))
    except BaseException:
        stop_airflow(procs)
        raise
    return procs


# The broker goes last: the Celery workers talk to it while they shut down.
STOP_LAST = ("redis",)


def stop_airflow(procs: dict[str, subprocess.Popen], timeout: float = 60) -> None:
    """SIGINT to each component's process group (Airflow shuts its workers down on SIGINT), then
    SIGTERM, then SIGKILL for what is left: nothing it started outlives it. A Celery worker's SIGINT
    goes to its main process alone: Celery's warm shutdown, which lets the running tasks finish (their
    own processes would die of a SIGINT to the group). Redis is stopped after all the others."""
    _stop({n: p for n, p in procs.items() if n not in STOP_LAST}, timeout)
    _stop({n: p for n, p in procs.items() if n in STOP_LAST}, timeout)


def _stop(procs: dict[str, subprocess.Popen], timeout: float) -> None:
    from pipeline.settings import CELERY_WORKERS

    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        alive = {n: p for n, p in procs.items() if p.poll() is None or _group_alive(p.pid)}
        if not alive:
            return
        for name, p in alive.items():
            warm = sig == signal.SIGINT and name in CELERY_WORKERS and p.poll() is None
            try:
                if warm:
                    os.kill(p.pid, sig)
                else:
                    os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and any(p.poll() is None or _group_alive(p.pid) for p in alive.values()):
            time.sleep(0.2)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def store_connections() -> list[str]:
    """Copy every ``AIRFLOW_CONN_<ID>`` into Airflow's metadata database, so that the UI lists the
    connections (passwords encrypted with the fernet key and masked); the variables still win
    when a task reads one (Airflow reads the environment before the database)."""
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import select

    stored = []
    with create_session() as session:
        for var, value in sorted(os.environ.items()):
            if not var.startswith("AIRFLOW_CONN_") or not value:
                continue
            conn_id = var.removeprefix("AIRFLOW_CONN_").lower()
            if value.lstrip().startswith("{"):
                new = Connection.from_json(value, conn_id=conn_id)
            else:
                new = Connection(conn_id=conn_id, uri=value)
            old = session.scalar(select(Connection).where(Connection.conn_id == conn_id))
            if old is None:
                session.add(new)
            else:
                for field in ("conn_type", "host", "schema", "login", "port"):
                    setattr(old, field, getattr(new, field))
                old.password = new.password
                old.extra = new.extra
            stored.append(conn_id)
    return stored


def cmd_airflow(args: argparse.Namespace) -> int:
    """Airflow (API server, scheduler, DAG processor, triggerer, log server; with ``--executor celery`` also
    Redis and two Celery workers) on 127.0.0.1; Ctrl-C stops it all."""
    from pipeline.settings import airflow_ports

    _setup_warehouse(args.executor)
    dbt_parse()
    airflow_migrate()
    log.info("connections in Airflow's database (the environment still overrides): %s", ", ".join(store_connections()))
    home = Path(os.environ["AIRFLOW_HOME"])

    def interrupted(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)  # `kill` stops the components too, as Ctrl-C does
    try:
        procs = start_airflow(home / "components", args.executor)
    except RuntimeError as exc:  # e.g. no redis-server: say so, not a traceback
        print(f"airflow: {exc}")
        return 1
    print(
        f"Airflow ({os.environ.get('AIRFLOW__CORE__EXECUTOR', 'LocalExecutor')}) on "
        f"http://127.0.0.1:{airflow_ports()['api']} (login: admin, password in "
        f"{os.environ['AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE']}); "
        f"logs in {home / 'components'}; Ctrl-C stops it"
    )
    try:
        while True:
            for name, p in procs.items():
                if p.poll() is not None:
                    print(f"airflow {name} exited ({p.returncode}); stopping the others (see {home / 'components'})")
                    return p.returncode or 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("stopping Airflow")
        return 0
    finally:
        stop_airflow(procs)


def cmd_stop(args: argparse.Namespace) -> int:
    from warehouse.config import local_dir
    from warehouse.embedded import EmbeddedPostgres

    EmbeddedPostgres(local_dir() / "warehouse").stop()
    print("warehouse stopped")
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m pipeline", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the whole pipeline and write the month's outputs")
    run.add_argument("--month", action="append", help="YYYY-MM (repeatable); default 2023-12")
    run.add_argument("--out", default=os.environ.get("PROJECT_OUT_DIR", "out"))
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="read every source whole (default: sources read by stored state are incremental once loaded)",
    )
    af = sub.add_parser("airflow", help="Airflow UI and scheduler for monitoring, triggering, backfilling")
    af.add_argument(
        "--executor",
        choices=["local", "celery"],
        default="local",
        help="local: tasks run beside the scheduler (default); celery: Redis and two Celery workers",
    )
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
    return ap


def connections_needed(argv: list[str]) -> list[str] | None:
    """The source connections (``AIRFLOW_CONN_<ID>``) this runner's command line reads; None: every source's.

    ``dag`` and ``backfill`` of a source's DAG read that source's connection; of ``transform`` or
    ``monthly_report`` (the warehouse only), ``dbt`` and ``stop``: none. ``run``, ``airflow`` and a
    command line that does not parse: every source's. ``simulators.run`` starts only these stand-ins.
    """
    from extractors.registry import NAMES, get

    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            args = parser().parse_args(argv)
    except SystemExit:
        return None
    if args.command in ("run", "airflow"):
        return None
    if args.command in ("dag", "backfill") and args.dag_id in NAMES:
        return [f"AIRFLOW_CONN_{get(args.dag_id).conn_id.upper()}"]
    return []


def main(argv: list[str] | None = None) -> int:
    ap = parser()
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
