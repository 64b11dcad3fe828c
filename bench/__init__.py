"""Benchmarks. Run from the project root, e.g. ``python -m bench.loader`` (``make bench``)."""
