with

source as (

    select * from {{ raw_source('meta', 'meta__fb_page_insights', {'page_id': 'text', 'metric': 'text', 'period': 'text', 'end_time': 'timestamptz'}) }}

),

renamed as (

    select
        -- ids
        page_id,
        metric,
        period,

        -- values
        case when jsonb_typeof(record -> 'value') = 'number' then (record ->> 'value')::numeric end as value,
        record -> 'value' as value_json,

        -- dates: Meta's reporting day (end_time is the next midnight UTC-07:00)
        (record ->> 'metric_date')::date as metric_date,
        end_time,

        -- lineage
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
