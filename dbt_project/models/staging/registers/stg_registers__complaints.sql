with

source as (

    select * from {{ raw_source('registers', 'registers__complaints', {'workbook': 'text', 'sheet': 'text', 'sheet_row': 'bigint'}) }}

),

renamed as (

    select
        -- ids
        {{ registers_row_columns() }}

        -- attributes
        (record ->> 'date')::date as complaint_date,
        record ->> 'kind' as complaint_kind,
        record ->> 'description' as description,

        -- lineage
        _request as source_cell,
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
