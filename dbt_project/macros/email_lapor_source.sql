{#- The raw Email Lapor table, or an empty relation of the same shape while the
    mailbox has never been loaded (e.g. another source's DAG run alone), so the
    Email Lapor models give no rows instead of failing the whole build. -#}
{% macro email_lapor_source(table) -%}
    {%- set rel = source('email_lapor', table) -%}
    {%- if execute and adapter.get_relation(database=rel.database, schema=rel.schema, identifier=rel.identifier) is none -%}
    (
        select
            null::bigint as uidvalidity,
            null::bigint as uid,
            null::timestamptz as received_at,
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
