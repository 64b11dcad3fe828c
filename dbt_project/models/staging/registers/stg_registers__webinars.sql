with

source as (

    select * from {{ raw_source('registers', 'registers__webinars', {'workbook': 'text', 'sheet': 'text', 'sheet_row': 'bigint'}) }}

),

renamed as (

    select
        -- ids
        {{ registers_row_columns() }}

        -- attributes
        (record ->> 'date')::date as event_date,
        record ->> 'title' as title,
        record ->> 'kind' as event_kind,

        -- lineage
        _request as source_cell,
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
