{#- The raw table of a source stream, or an empty relation of the same shape while
    that source has never been loaded (e.g. a run of another source's DAG alone), so
    a missing source gives no rows (its figures null, never 0) instead of failing
    every other model's build.
    `key_columns` are the typed key columns the loader creates ({name: postgres
    type}); every stream's raw table also has record, _request, _batch_id,
    _loaded_at, _seq and _record_hash (the loader's: the MD5 of the record's text).
    A loader table of another shape (raw._batches) passes all its columns as
    `key_columns` with `stream_table=false`.
    In a unit test the source is a fixture (no schema): used as it is. -#}
{% macro raw_source(source_name, table, key_columns, stream_table=true) -%}
    {%- set rel = source(source_name, table) -%}
    {%- if execute and rel.schema and rel.identifier
          and adapter.get_relation(database=rel.database, schema=rel.schema, identifier=rel.identifier) is none -%}
    (
        select
            {%- for name, type in key_columns.items() %}
            null::{{ type }} as "{{ name }}"{% if stream_table or not loop.last %},{% endif %}
            {%- endfor %}
            {%- if stream_table %}
            null::jsonb as record,
            null::text as _request,
            null::text as _batch_id,
            null::timestamptz as _loaded_at,
            null::bigint as _seq,
            null::uuid as _record_hash
            {%- endif %}
        where false
    ) as not_loaded_yet
    {%- else -%}
    {{ rel }}
    {%- endif -%}
{%- endmacro %}


{#- An index on a raw table for a model's incremental window, on something only that model
    computes (an expression of the record): the model's pre-hook creates it once the table
    exists (the loader owns raw tables and indexes their primary keys). Asked first, so an
    existing index costs no lock on the raw table. `expression` must be written exactly as
    the model's predicate writes it, or the planner cannot use the index. -#}
{% macro ensure_raw_index(source_name, table, index_name, expression) -%}
    {%- set rel = source(source_name, table) -%}
    {%- if execute and rel.schema and rel.identifier
          and adapter.get_relation(database=rel.database, schema=rel.schema, identifier=rel.identifier) is not none -%}
        {%- set found = run_query(
            "select count(*) from pg_indexes where schemaname = '" ~ rel.schema ~ "' and indexname = '" ~ index_name ~ "'"
        ).columns[0].values()[0] -%}
        {%- if found == 0 -%}
            create index if not exists {{ adapter.quote(index_name) }} on {{ rel }} (({{ expression }}))
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
