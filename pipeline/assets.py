"""Airflow assets: what each DAG produces; downstream DAGs are scheduled on them."""

from airflow.sdk import Asset

RAW_DESKPRO = Asset(name="raw_deskpro", uri="warehouse://raw/deskpro")
MARTS = Asset(name="marts", uri="warehouse://marts")

RAW_SOURCES = [RAW_DESKPRO]
