{#- The columns every staff-register staging model starts with: where the row sits
    (the raw key: workbook, sheet, sheet_row), its readable key, and the month the
    sheet is named after. -#}
{% macro registers_row_columns() -%}
        workbook || ' | ' || sheet || ' | ' || sheet_row::text as register_row_key,
        workbook,
        sheet,
        sheet_row,
        (record ->> 'sheet_month')::date as sheet_month,
{%- endmacro %}

{#- "Kab. Kepulauan Sangihe (Bupati)" -> "Kab. Kepulauan Sangihe"; the note in brackets is kept apart. -#}
{% macro registers_region_name(text) -%}
    nullif(trim(regexp_replace({{ text }}, '\s*\([^)]*\)\s*$', '')), '')
{%- endmacro %}

{% macro registers_region_note(text) -%}
    nullif(trim(substring({{ text }} from '\(([^)]*)\)\s*$')), '')
{%- endmacro %}

{#- The raw table of a register, or an empty relation of the same shape while the
    registers have never been loaded (e.g. a run of another source's DAG alone), so
    a missing register gives no rows instead of failing every other model's build. -#}
{% macro registers_source(table) -%}
    {%- set rel = source('registers', table) -%}
    {%- if execute and adapter.get_relation(database=rel.database, schema=rel.schema, identifier=rel.identifier) is none -%}
    (
        select
            null::text as workbook,
            null::text as sheet,
            null::bigint as sheet_row,
            null::jsonb as record,
            null::text as _request,
            null::text as _batch_id,
            null::timestamptz as _loaded_at
        where false
    ) as not_loaded_yet
    {%- else -%}
    {{ rel }}
    {%- endif -%}
{%- endmacro %}
