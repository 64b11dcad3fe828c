"""Initialise Superset's metadata and import bi/bundle/ (runs inside Superset's own venv or image).

    BI_WAREHOUSE_URI=postgresql+psycopg2://bi_reader:...@host:port/warehouse \\
    SUPERSET_CONFIG_PATH=bi/superset_config.py python bi/provision.py bi/bundle

Run by ``python -m bi start`` (``make bi``) with .venv-bi's Python, and by the ``superset-init``
service of docker-compose.yml. Idempotent: every run migrates the metadata database, syncs
roles, creates or resets the admin, and re-imports the bundle over the same objects (by uuid),
so a moved warehouse port or a changed chart takes effect.

Secrets come from the environment only and are never printed: the warehouse URI
(``BI_WAREHOUSE_URI``), the admin's login (``BI_ADMIN_FILE``, a 0600 JSON file
``{"username": ..., "password": ...}``, or ``SUPERSET_ADMIN_USERNAME``/``SUPERSET_ADMIN_PASSWORD``).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

URI_PLACEHOLDER = "__WAREHOUSE_BI_READER_URI__"


def _admin_login() -> tuple[str, str]:
    if os.environ.get("BI_ADMIN_FILE"):
        creds = json.loads(Path(os.environ["BI_ADMIN_FILE"]).read_text())
        return creds["username"], creds["password"]
    user, password = os.environ.get("SUPERSET_ADMIN_USERNAME", "admin"), os.environ.get("SUPERSET_ADMIN_PASSWORD")
    if not password:
        raise SystemExit("set BI_ADMIN_FILE or SUPERSET_ADMIN_PASSWORD")
    return user, password


def read_bundle(root: Path, uri: str) -> dict[str, str]:
    """The bundle's files by relative path, the warehouse URI put in (in memory only)."""
    contents = {}
    for path in sorted(root.rglob("*.y*ml")):
        text = path.read_text(encoding="utf-8")
        contents[str(path.relative_to(root))] = text.replace(URI_PLACEHOLDER, uri)
    return contents


def main(argv: list[str]) -> int:
    bundle = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parent / "bundle")
    uri = os.environ.get("BI_WAREHOUSE_URI")
    if not uri:
        raise SystemExit("BI_WAREHOUSE_URI is not set")
    username, password = _admin_login()

    import superset
    from flask_migrate import upgrade
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import appbuilder, db, security_manager
        from superset.commands.importers.v1.examples import ImportExamplesCommand
        from superset.models.dashboard import Dashboard
        from superset.models.slice import Slice

        log = logging.getLogger("bi.provision")
        upgrade(directory=str(Path(superset.__file__).parent / "migrations"))
        appbuilder.add_permissions(update_perms=True)  # what `superset init` does
        security_manager.sync_role_definitions()

        admin = security_manager.find_user(username=username)
        if admin is None:
            admin = security_manager.add_user(
                username, "BI", "Admin", f"{username}@localhost", security_manager.find_role("Admin"), password=password
            )
            if not admin:
                raise SystemExit(f"could not create the Superset user {username}")
        else:
            security_manager.reset_password(admin.id, password)

        contents = read_bundle(bundle, uri)
        ImportExamplesCommand(contents, overwrite=True).run()

        # Point each chart's params and saved query context at the ids Superset gave.
        import yaml

        dash_uuid = next(yaml.safe_load(t)["uuid"] for p, t in contents.items() if p.startswith("dashboards/"))
        chart_uuids = [yaml.safe_load(t)["uuid"] for p, t in contents.items() if p.startswith("charts/")]
        dashboard = db.session.query(Dashboard).filter_by(uuid=dash_uuid).one()
        charts = db.session.query(Slice).filter(Slice.uuid.in_(chart_uuids)).all()
        if len(charts) != len(chart_uuids):
            raise SystemExit(f"imported {len(charts)} of {len(chart_uuids)} charts")
        for chart in charts:
            params = json.loads(chart.params)
            params.update(datasource=f"{chart.datasource_id}__table", slice_id=chart.id, dashboards=[dashboard.id])
            qc = json.loads(chart.query_context)
            qc["datasource"] = {"id": chart.datasource_id, "type": "table"}
            qc["form_data"] = params
            chart.params = json.dumps(params)
            chart.query_context = json.dumps(qc)
            if admin not in chart.owners:
                chart.owners.append(admin)
        if admin not in dashboard.owners:
            dashboard.owners.append(admin)
        dashboard.published = True
        db.session.commit()
        log.info("imported dashboard %s with %d charts", dashboard.id, len(charts))
        print(json.dumps({"dashboard_id": dashboard.id, "slug": dashboard.slug, "charts": len(charts)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
