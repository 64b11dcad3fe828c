with

source as (

    select * from {{ registers_source('registers__webinars') }}

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
