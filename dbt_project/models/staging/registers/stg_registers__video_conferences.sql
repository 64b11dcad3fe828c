with

source as (

    select * from {{ raw_source('registers', 'registers__video_conferences', {'workbook': 'text', 'sheet': 'text', 'sheet_row': 'bigint'}) }}

),

renamed as (

    select
        -- ids
        {{ registers_row_columns() }}

        -- attributes
        (record ->> 'date')::date as conference_date,
        record ->> 'region' as region_text,
        {{ registers_region_name("record ->> 'region'") }} as region_name,
        {{ registers_region_note("record ->> 'region'") }} as region_note,
        record ->> 'topic' as topic,

        -- lineage
        _request as source_cell,
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
