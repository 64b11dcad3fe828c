"""Airflow assets: what each DAG produces; downstream DAGs are scheduled on them.

One raw asset per source DAG (``raw_<source>``, from the registry). The transform
DAG runs once ALL the sources that land every day have landed since its last run
(``DAILY_RAW``; a weekly source is picked up by the next daily build), and at its daily
deadline whatever has landed (``dags/transform.py``). ``dbt_build`` produces one asset per mart
table and ``check_marts`` the asset ``marts``.

Every URI is ``warehouse://<schema>/<table>``: it names the table, not the server,
so it is the same on every machine and after every restart (no host, port or
random part). The ``postgres://`` scheme is not used: the Postgres provider requires
``postgres://host:port/database/schema/table`` and would put the port back in. Cosmos'
own per-node assets (``postgres://127.0.0.1:<port>/...``) are switched off in
``dags/transform.py`` for that reason.
"""

from pathlib import Path

from airflow.sdk import Asset

from extractors.registry import NAMES, SOURCES
from pipeline.dag_factory import lands_every_day, raw_asset, warehouse_asset

RAW = {name: raw_asset(name) for name in NAMES}
RAW_SOURCES = list(RAW.values())
DAILY_RAW = [RAW[s.name] for s in SOURCES if lands_every_day(s.schedule)]
RAW_DESKPRO = RAW["deskpro"]

MARTS = Asset(name="marts", uri="warehouse://marts")

MARTS_MODELS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "marts"


def mart_assets(models_dir: Path = MARTS_MODELS_DIR) -> list[Asset]:
    """One asset per mart table (``warehouse://marts/<model>``), from the dbt models' files (no dbt call)."""
    return [warehouse_asset("marts", p.stem) for p in sorted(models_dir.rglob("*.sql"))]
