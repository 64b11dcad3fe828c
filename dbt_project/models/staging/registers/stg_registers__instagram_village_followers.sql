with

source as (

    select * from {{ raw_source('registers', 'registers__instagram_village_followers', {'workbook': 'text', 'sheet': 'text', 'sheet_row': 'bigint'}) }}

),

renamed as (

    select
        -- ids
        {{ registers_row_columns() }}

        -- attributes
        (record ->> 'date')::date as noticed_on,
        record ->> 'account' as account,
        record ->> 'village' as village,

        -- lineage
        _request as source_cell,
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
