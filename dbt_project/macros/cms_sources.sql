{#- The raw table of a CMS stream, or an empty relation of the same shape while the
    CMS has never been loaded (e.g. a run of another source's DAG alone), so a
    missing source gives no rows (publications null, never 0) instead of failing
    every other model's build.
    In a unit test the source is a fixture (no schema): used as it is. -#}
{% macro cms_source(table) -%}
    {%- set keys = {
        'cms__posts': [('id', 'bigint'), ('modified_gmt', 'timestamptz')],
        'cms__categories': [('id', 'bigint')],
    } -%}
    {%- set rel = source('cms', table) -%}
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
