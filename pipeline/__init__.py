"""Glue for running the pipeline: settings, Airflow callbacks, the local runner."""
