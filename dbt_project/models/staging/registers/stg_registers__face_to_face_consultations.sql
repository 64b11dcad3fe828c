with

source as (

    select * from {{ raw_source('registers', 'registers__face_to_face_consultations', {'workbook': 'text', 'sheet': 'text', 'sheet_row': 'bigint'}) }}

),

renamed as (

    select
        -- ids
        {{ registers_row_columns() }}

        -- attributes
        (record ->> 'date')::date as consultation_date,
        record ->> 'region' as region_text,
        {{ registers_region_name("record ->> 'region'") }} as region_name,
        {{ registers_region_note("record ->> 'region'") }} as region_note,
        record ->> 'topic' as topic,
        (record ->> 'guests')::integer as guests,

        -- lineage
        _request as source_cell,
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
