"""BI on the marts: Superset provisioned from bi/bundle (``make bi``; docs/bi.md).

This package runs in the project's venv (``python -m bi``, ``python -m bi.build_bundle``);
``provision.py`` and ``screenshot.py`` run in Superset's own venv (``.venv-bi``) or image
and import nothing from the project.
"""
