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
