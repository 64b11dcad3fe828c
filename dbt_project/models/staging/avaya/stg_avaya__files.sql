with

source as (

    select * from {{ raw_source('avaya', 'avaya__files', avaya_key_columns('avaya__files')) }}

),

renamed as (

    select
        -- ids
        file_name,
        record ->> 'sha256' as sha256,

        -- attributes
        record ->> 'kind' as file_kind,
        (record ->> 'size_bytes')::bigint as size_bytes,
        (record ->> 'records')::integer as records_loaded,
        (record ->> 'rejected')::integer as records_rejected,

        -- lineage
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
