"""Write the Superset bundle in bi/bundle/ from the chart list below (a developer's tool).

    .venv/bin/python -m bi.build_bundle      # needs the built warehouse (make run)

The bundle is version-controlled: ``make bi`` imports bi/bundle/ as it is, with
``superset import-directory``'s importer (bi/provision.py). Run this after changing the
charts below or a mart's columns, then commit bi/bundle/. The datasets' columns and
types are read from the warehouse's ``marts`` schema, so they match what dbt built.

Every chart carries its ``params`` (what the dashboard renders from) and a saved
``query_context`` (what ``GET /api/v1/chart/<id>/data`` runs); bi/provision.py points
both at the dataset ids Superset gave on import. UUIDs are uuid5 of the names, so a
regenerated bundle overwrites the same objects.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BUNDLE = Path(__file__).resolve().parent / "bundle"
NAMESPACE = uuid.UUID("6f1c1f8e-4a52-4c55-9d1e-0d6a9b1b17c0")
DATABASE_NAME = "Warehouse (bi_reader)"
DATABASE_UUID = str(uuid.uuid5(NAMESPACE, "database:warehouse"))
DASHBOARD_TITLE = "Layanan Informasi Bulanan"
DASHBOARD_SLUG = "layanan-informasi-bulanan"
SCHEMA = "marts"
TIME_COLUMN = "month"


def _uuid(kind: str, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))


def metric(column: str, label: str, aggregate: str = "SUM") -> dict:
    return {
        "expressionType": "SIMPLE",
        "column": {"column_name": column},
        "aggregate": aggregate,
        "label": label,
        "hasCustomLabel": True,
        "optionName": f"metric_{column}_{aggregate.lower()}",
    }


@dataclass
class Chart:
    name: str
    table: str
    viz_type: str  # echarts_timeseries_bar | echarts_timeseries_line | big_number | table
    metrics: list[dict]
    groupby: list[str] = field(default_factory=list)
    filters: list[tuple[str, str, object]] = field(default_factory=list)  # (column, op, value)
    width: int = 6
    height: int = 50
    description: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def uuid(self) -> str:
        return _uuid("chart", self.name)


CHARTS: list[list[Chart]] = [  # one list per dashboard row (12 columns wide)
    [
        Chart(
            "Konsultasi per bulan",
            "mart_monthly_consultations",
            "big_number",
            [metric("consultations", "Konsultasi")],
            width=4,
            description="Every consultation of the month, all channels (fct_consultations, Asia/Jakarta month).",
            extra={"subheader": "konsultasi, semua kanal"},
        ),
        Chart(
            "Konsultasi per kanal per bulan",
            "mart_monthly_channel_volume",
            "echarts_timeseries_bar",
            [metric("tickets", "Konsultasi")],
            groupby=["channel_name"],
            width=8,
            description="Consultations per channel and month (mart_monthly_channel_volume.tickets).",
        ),
    ],
    [
        Chart(
            "Pengguna per segmen",
            "mart_monthly_segments",
            "echarts_timeseries_bar",
            [metric("users", "Pengguna")],
            groupby=["segment_name"],
            filters=[("is_reported", "==", True)],
            description="Distinct users (pseudonymous user_key) per reported segment and month.",
        ),
        Chart(
            "Zona waktu pengguna",
            "mart_monthly_timezones",
            "echarts_timeseries_bar",
            [
                metric("identified_wib", "WIB"),
                metric("identified_wita", "WITA"),
                metric("identified_wit", "WIT"),
                metric("unidentified", "Tidak teridentifikasi"),
            ],
            description="Consultations by the user's time zone (from the region they gave), per month.",
        ),
    ],
    [
        Chart(
            "Jam layanan",
            "mart_monthly_timezones",
            "echarts_timeseries_bar",
            [
                metric("within_service_hours", "Dalam jam layanan"),
                metric("outside_service_hours", "Di luar jam layanan"),
            ],
            description="Consultations of identified time zone inside and outside service hours, user's local time.",
        ),
        Chart(
            "Media sosial: konten per platform",
            "mart_monthly_social",
            "echarts_timeseries_bar",
            [metric("content_total", "Konten (post + story)")],
            groupby=["platform"],
            description="Posts and stories published per platform and month (mart_monthly_social.content_total).",
        ),
    ],
    [
        Chart(
            "Media sosial: pengikut akhir bulan",
            "mart_monthly_social",
            "echarts_timeseries_line",
            [metric("followers_end_of_month", "Pengikut")],
            groupby=["platform"],
            description="Followers at the end of each month per platform.",
        ),
        Chart(
            "Register layanan",
            "mart_monthly_registers",
            "echarts_timeseries_bar",
            [metric("entries", "Entri")],
            groupby=["label"],
            description="Entries of the staff registers (face to face, video conferences, webinars, complaints, PPID) per month.",
        ),
    ],
]


def _all_charts() -> list[Chart]:
    return [c for row in CHARTS for c in row]


# --- params (what the dashboard renders) and query_context (what the data API runs) ---


def _adhoc_filters(chart: Chart) -> list[dict]:
    out = [
        {
            "clause": "WHERE",
            "comparator": "No filter",
            "expressionType": "SIMPLE",
            "operator": "TEMPORAL_RANGE",
            "subject": TIME_COLUMN,
        }
    ]
    for col, op, val in chart.filters:
        out.append(
            {
                "clause": "WHERE",
                "comparator": val,
                "expressionType": "SIMPLE",
                "operator": op,
                "subject": col,
                "filterOptionName": f"filter_{col}",
            }
        )
    return out


def chart_params(chart: Chart) -> dict:
    common = {
        "viz_type": chart.viz_type,
        "adhoc_filters": _adhoc_filters(chart),
        "color_scheme": "supersetColors",
        "extra_form_data": {},
        "dashboards": [],
    }
    if chart.viz_type == "big_number":
        return {
            **common,
            "metric": chart.metrics[0],
            "x_axis": TIME_COLUMN,
            "time_grain_sqla": "P1M",
            "show_trend_line": True,
            "start_y_axis_at_zero": True,
            "header_font_size": 0.4,
            "subheader_font_size": 0.15,
            "subheader": chart.extra.get("subheader", ""),
            "y_axis_format": ",d",
            "time_format": "%b %Y",
            "rolling_type": "None",
        }
    if chart.viz_type == "table":
        return {
            **common,
            "query_mode": "aggregate",
            "groupby": chart.groupby,
            "metrics": chart.metrics,
            "all_columns": [],
            "percent_metrics": [],
            "order_by_cols": [],
            "timeseries_limit_metric": chart.metrics[0],
            "order_desc": True,
            "row_limit": 1000,
            "server_page_length": 10,
            "table_timestamp_format": "%Y-%m",
            "show_cell_bars": True,
            "color_pn": True,
        }
    params = {
        **common,
        "x_axis": TIME_COLUMN,
        "time_grain_sqla": "P1M",
        "x_axis_sort_asc": True,
        "metrics": chart.metrics,
        "groupby": chart.groupby,
        "order_desc": True,
        "row_limit": 10000,
        "truncate_metric": True,
        "show_legend": True,
        "legendType": "scroll",
        "legendOrientation": "top",
        "rich_tooltip": True,
        "x_axis_time_format": "%b %Y",
        "y_axis_format": "SMART_NUMBER",
        "comparison_type": "values",
        "rolling_type": None,
        "annotation_layers": [],
    }
    if chart.viz_type == "echarts_timeseries_bar":
        params.update(stack="Stack", orientation="vertical", show_value=False)
    else:
        params.update(markerEnabled=True, markerSize=6, seriesType="line")
    return params


def query_context(chart: Chart, params: dict) -> dict:
    filters = [{"col": TIME_COLUMN, "op": "TEMPORAL_RANGE", "val": "No filter"}]
    filters += [{"col": col, "op": op, "val": val} for col, op, val in chart.filters]
    base_axis = {
        "timeGrain": "P1M",
        "columnType": "BASE_AXIS",
        "sqlExpression": TIME_COLUMN,
        "label": TIME_COLUMN,
        "expressionType": "SQL",
    }
    if chart.viz_type == "table":
        columns = list(chart.groupby)
        series: list = []
    else:
        columns = [base_axis, *chart.groupby]
        series = list(chart.groupby)
    query = {
        "filters": filters,
        "extras": {"having": "", "where": ""},
        "applied_time_extras": {},
        "columns": columns,
        "metrics": chart.metrics,
        "orderby": [[chart.metrics[0], False]],
        "annotation_layers": [],
        "row_limit": params.get("row_limit", 10000),
        "series_columns": series,
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    # The dataset id is Superset's, known only after import: bi/provision.py sets it.
    return {
        "datasource": {"id": 0, "type": "table"},
        "force": False,
        "queries": [query],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }


# --- the bundle's files --------------------------------------------------------


def _columns(table: str, conn) -> list[dict]:
    rows = conn.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = %s and table_name = %s order by ordinal_position",
        (SCHEMA, table),
    ).fetchall()
    if not rows:
        raise SystemExit(f"{SCHEMA}.{table} not found: build the warehouse first (make run)")
    return [
        {
            "column_name": name,
            "verbose_name": None,
            "is_dttm": name == TIME_COLUMN or typ.startswith(("date", "timestamp")),
            "is_active": True,
            "type": typ.upper(),
            "advanced_data_type": None,
            "groupby": True,
            "filterable": True,
            "expression": None,
            "description": None,
            "python_date_format": None,
            "extra": None,
        }
        for name, typ in rows
    ]


def dataset_yaml(table: str, conn) -> dict:
    return {
        "table_name": table,
        "main_dttm_col": TIME_COLUMN,
        "description": f"marts.{table}, built by dbt (dbt_project/models/marts/); read as bi_reader.",
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "catalog": None,
        "schema": SCHEMA,
        "sql": None,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "normalize_columns": False,
        "always_filter_main_dttm": False,
        "uuid": _uuid("dataset", table),
        "metrics": [
            {
                "metric_name": "count",
                "verbose_name": "COUNT(*)",
                "metric_type": "count",
                "expression": "COUNT(*)",
                "description": None,
                "d3format": None,
                "currency": None,
                "extra": None,
                "warning_text": None,
            }
        ],
        "columns": _columns(table, conn),
        "version": "1.0.0",
        "database_uuid": DATABASE_UUID,
    }


def chart_yaml(chart: Chart) -> dict:
    params = chart_params(chart)
    return {
        "slice_name": chart.name,
        "description": chart.description,
        "certified_by": None,
        "certification_details": None,
        "viz_type": chart.viz_type,
        "params": params,
        "query_context": json.dumps(query_context(chart, params), sort_keys=True),
        "cache_timeout": None,
        "uuid": chart.uuid,
        "version": "1.0.0",
        "dataset_uuid": _uuid("dataset", chart.table),
    }


def dashboard_yaml() -> dict:
    position: dict = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"children": ["GRID_ID"], "id": "ROOT_ID", "type": "ROOT"},
        "HEADER_ID": {"id": "HEADER_ID", "meta": {"text": DASHBOARD_TITLE}, "type": "HEADER"},
        "GRID_ID": {"children": [], "id": "GRID_ID", "parents": ["ROOT_ID"], "type": "GRID"},
    }
    for i, row in enumerate(CHARTS, 1):
        row_id = f"ROW-{i}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {
            "children": [],
            "id": row_id,
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
            "parents": ["ROOT_ID", "GRID_ID"],
            "type": "ROW",
        }
        for chart in row:
            chart_id = f"CHART-{chart.uuid[:8]}"
            position[row_id]["children"].append(chart_id)
            position[chart_id] = {
                "children": [],
                "id": chart_id,
                "meta": {
                    "chartId": 0,  # replaced on import by the chart's id (found by uuid)
                    "height": chart.height,
                    "sliceName": chart.name,
                    "uuid": chart.uuid,
                    "width": chart.width,
                },
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "type": "CHART",
            }
    return {
        "dashboard_title": DASHBOARD_TITLE,
        "description": "The monthly Laporan Layanan Informasi's figures, from the marts (docs/bi.md).",
        "css": "",
        "slug": DASHBOARD_SLUG,
        "certified_by": "",
        "certification_details": "",
        "published": True,
        "uuid": _uuid("dashboard", DASHBOARD_TITLE),
        "position": position,
        "metadata": {
            "color_scheme": "supersetColors",
            "label_colors": {},
            "shared_label_colors": [],
            "map_label_colors": {},
            "color_scheme_domain": [],
            "cross_filters_enabled": False,
            "expanded_slices": {},
            "refresh_frequency": 0,
            "timed_refresh_immune_slices": [],
            "default_filters": "{}",
            "native_filter_configuration": [],
            "chart_configuration": {},
        },
        "version": "1.0.0",
    }


def database_yaml() -> dict:
    return {
        "database_name": DATABASE_NAME,
        # Filled in by bi/provision.py from the warehouse's bi_reader URL (never stored here).
        "sqlalchemy_uri": "__WAREHOUSE_BI_READER_URI__",
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_file_upload": False,
        "extra": {"allows_virtual_table_explore": True, "schema_options": {"expand_rows": False}},
        "uuid": DATABASE_UUID,
        "version": "1.0.0",
    }


def _dump(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Generated by `python -m bi.build_bundle` (bi/build_bundle.py); edit there, not here.\n"
    path.write_text(header + yaml.safe_dump(doc, sort_keys=True, allow_unicode=True, width=1000))


def write_bundle(conn, dest: Path = BUNDLE) -> list[Path]:
    if dest.exists():
        shutil.rmtree(dest)
    files = {
        dest / "metadata.yaml": {"version": "1.0.0", "timestamp": "2026-12-03T00:00:00+00:00"},
        dest / "databases" / "warehouse.yaml": database_yaml(),
        dest / "dashboards" / f"{DASHBOARD_SLUG}.yaml": dashboard_yaml(),
    }
    for table in sorted({c.table for c in _all_charts()}):
        files[dest / "datasets" / "warehouse" / f"{table}.yaml"] = dataset_yaml(table, conn)
    for chart in _all_charts():
        slug = "_".join("".join(ch if ch.isalnum() else " " for ch in chart.name.lower()).split())
        files[dest / "charts" / f"{slug}.yaml"] = chart_yaml(chart)
    for path, doc in files.items():
        _dump(path, doc)
    return sorted(files)


def main() -> int:
    import psycopg

    from warehouse.config import resolve

    wh = resolve(start=False)
    with psycopg.connect(wh.url) as conn:
        for path in write_bundle(conn):
            print(path.relative_to(BUNDLE.parent.parent))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
