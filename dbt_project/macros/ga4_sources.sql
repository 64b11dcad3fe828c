{#- The raw table of a GA4 report, or an empty relation of the same shape while GA4
    has never been loaded (e.g. a run of another source's DAG alone), so a missing
    source gives no rows (visitors null, never 0) instead of failing every other
    model's build.
    In a unit test the source is a fixture (no schema): used as it is. -#}
{% macro ga4_source(table) -%}
    {%- set keys = {
        'ga4__monthly_users': [('property_id', 'text'), ('month', 'date')],
        'ga4__daily_traffic': [('property_id', 'text'), ('date', 'date')],
        'ga4__top_pages': [('property_id', 'text'), ('month', 'date')],
    } -%}
    {%- set rel = source('ga4', table) -%}
    {%- if execute and rel.schema and rel.identifier
          and adapter.get_relation(database=rel.database, schema=rel.schema, identifier=rel.identifier) is none -%}
    (
        select
            {% for name, type in keys[table] -%}
            null::{{ type }} as {{ name }},
            {% endfor -%}
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
