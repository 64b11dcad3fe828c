with

source as (

    select * from {{ raw_source('registers', 'registers__ppid_requests', {'workbook': 'text', 'sheet': 'text', 'sheet_row': 'bigint'}) }}

),

renamed as (

    select
        -- ids
        {{ registers_row_columns() }}

        -- attributes
        (record ->> 'date')::date as request_date,
        record ->> 'requester' as requester_name,
        record ->> 'institution' as requester_institution,
        record ->> 'data_requested' as data_requested,
        record ->> 'status' as status,

        -- lineage
        _request as source_cell,
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
