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

{#- A staff-register staging model (a staging_model() of the register stream, keyed by
    workbook, sheet, sheet_row): the register row columns, the register's own columns
    (the caller's block, each line ending in a comma) and the lineage. Use as
    {% call registers_staging('registers__complaints') %} ... {% endcall %}. -#}
{% macro registers_staging(stream) -%}
    {%- set attributes = caller() -%}
    {%- call staging_model('registers', stream, {'workbook': 'text', 'sheet': 'text', 'sheet_row': 'bigint'}) %}
        -- ids
        {{ registers_row_columns() }}

        -- attributes
        {{ attributes | trim }}

        -- lineage
        _request as source_cell,
        _batch_id,
        _loaded_at
    {%- endcall %}
{%- endmacro %}

{#- A register mart listing its rows: one row per register row of `model` (a staging
    model of a register), its month, its position within the month in register order,
    the register's columns (the caller's block, each line ending in a comma) and where
    the row sits in the workbook. -#}
{% macro register_listing(model) -%}
    {%- set attributes = caller() -%}
with

register_rows as (

    select * from {{ ref(model) }}

),

final as (

    select
        -- grain
        register_row_key,
        sheet_month as month,
        row_number() over (partition by sheet_month order by workbook, sheet, sheet_row) as row_in_month,

        -- attributes
        {{ attributes | trim }}

        -- lineage
        workbook,
        sheet,
        sheet_row

    from register_rows

)

select * from final
{%- endmacro %}
