{#- The frame of a staging model, used as a call block: the raw table through
    raw_source() (an empty relation of its shape while the source was never loaded)
    as `source`, the caller's column list (renames, casts, pseudonyms, lineage) as
    `renamed`, and `select * from renamed`:
        {% call staging_model('deskpro', 'deskpro__agents', {'id': 'bigint'}) %}
            id as agent_id,
            _loaded_at
        {% endcall %} -#}
{% macro staging_model(source_name, table, key_columns, stream_table=true) -%}
with

source as (

    select * from {{ raw_source(source_name, table, key_columns, stream_table) }}

),

renamed as (

    select
        {{ caller() | trim }}

    from source

)

select * from renamed
{%- endmacro %}
