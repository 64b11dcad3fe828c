"""Every mart column is documented, so BI users see what it holds (issue "dbt docs that BI users see").

The marts persist their docs (dbt_project.yml: persist_docs), so a column's description
becomes its Postgres comment, which BI tools show next to the column. The fast test reads
the parsed manifest; the slow one compares the documented columns with the columns the
built marts really have, both ways (a misspelt or stale name in a .yml would otherwise
pass unnoticed: dbt builds fine with it), and checks that the comments arrived.
"""

from __future__ import annotations

import json

import pytest


def _marts(manifest_path) -> dict[str, dict]:
    manifest = json.loads(manifest_path.read_text())
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"]["schema"] == "marts"
    }


def _documented(node: dict) -> dict[str, str]:
    """The model's documented columns: name -> description."""
    return {name: (col.get("description") or "") for name, col in node["columns"].items()}


def test_every_mart_column_has_a_description(dbt_manifest):
    marts = _marts(dbt_manifest)
    assert marts
    undocumented = {
        name: sorted(col for col, desc in _documented(node).items() if not desc.strip()) for name, node in marts.items()
    }
    undocumented = {name: cols for name, cols in undocumented.items() if cols}
    assert undocumented == {}
    assert [name for name, node in marts.items() if not node["columns"]] == []
    assert [name for name, node in marts.items() if not (node.get("description") or "").strip()] == []
    # the descriptions reach Postgres only with persist_docs on
    assert [
        name
        for name, node in marts.items()
        if not (node["config"].get("persist_docs") or {}).get("columns")
        or not (node["config"].get("persist_docs") or {}).get("relation")
    ] == []


@pytest.mark.slow
def test_documented_columns_are_the_built_columns_and_carry_their_comments(pipeline_env, dbt_manifest):
    marts = _marts(dbt_manifest)
    rows = pipeline_env.query(
        """
        select
            cols.table_name,
            cols.column_name,
            col_description(format('%I.%I', cols.table_schema, cols.table_name)::regclass, cols.ordinal_position)
        from information_schema.columns as cols
        where cols.table_schema = 'marts'
        order by cols.table_name, cols.ordinal_position
        """
    )
    built: dict[str, dict[str, str | None]] = {}
    for table, column, comment in rows:
        built.setdefault(table, {})[column] = comment

    assert sorted(set(marts) - set(built)) == [], "marts not built"
    mismatches = {}
    for name, node in sorted(marts.items()):
        documented = set(_documented(node))
        real = set(built[name])
        if documented != real:
            mismatches[name] = {
                "built but not documented": sorted(real - documented),
                "documented but not built": sorted(documented - real),
            }
    assert mismatches == {}

    missing_comments = {
        name: sorted(col for col, comment in built[name].items() if not (comment or "").strip()) for name in marts
    }
    assert {name: cols for name, cols in missing_comments.items() if cols} == {}
    stale = {
        f"{name}.{col}": (built[name][col], desc)
        for name, node in marts.items()
        for col, desc in _documented(node).items()
        if (built[name][col] or "").strip() != desc.strip()
    }
    assert stale == {}
