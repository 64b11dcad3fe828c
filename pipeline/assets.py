"""Airflow assets: what each DAG produces; downstream DAGs are scheduled on them.

One raw asset per source DAG (``raw_<source>``, from the registry). The transform
DAG runs when ANY of them is updated.
"""

from airflow.sdk import Asset

from extractors.registry import NAMES
from pipeline.dag_factory import raw_asset

RAW = {name: raw_asset(name) for name in NAMES}
RAW_SOURCES = list(RAW.values())
RAW_DESKPRO = RAW["deskpro"]

MARTS = Asset(name="marts", uri="warehouse://marts")
