"""Every source DAG (``extract`` -> ``load``), one per entry of ``extractors.registry``; airflow finds them by name."""

from extractors.registry import SOURCES
from pipeline.dag_factory import source_dag

for _source in SOURCES:
    globals()[_source.name] = source_dag(_source)
