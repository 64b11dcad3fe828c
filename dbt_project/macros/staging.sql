{#- The frame of a staging model, used as a call block: the raw table through
    raw_source() (an empty relation of its shape while the source was never loaded)
    as `source`, the caller's column list (renames, casts, pseudonyms, lineage) as
    `renamed`, and `select * from renamed`:
        {% call staging_model('deskpro', 'deskpro__agents', {'id': 'bigint'}) %}
            id as agent_id,
            _loaded_at
        {% endcall %}
    With `incremental=true` (a model materialized incremental, one row per raw row,
    unique_key the raw key) an incremental run reads only the raw rows in
    incremental_window() and the model gets `_pseudonym_key_id`. -#}
{% macro staging_model(source_name, table, key_columns, stream_table=true, incremental=false) -%}
with

source as (

    select * from {{ raw_source(source_name, table, key_columns, stream_table) }}
    {%- if incremental and is_incremental() %}
    where {{ incremental_window() }}
    {%- endif %}

),

renamed as (

    select
        {{ caller() | trim }}
        {%- if incremental %},
        {{ pseudonym_key_id() }} as _pseudonym_key_id
        {%- endif %}

    from source

)

select * from renamed
{%- endmacro %}
