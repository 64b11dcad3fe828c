with

source as (

    select * from {{ raw_source('meta', 'meta__ig_user_insights', {'account_id': 'text', 'metric': 'text', 'metric_type': 'text', 'period': 'text', 'end_time': 'timestamptz'}) }}

),

renamed as (

    select
        -- ids
        account_id,
        metric,
        metric_type,
        period,

        -- values
        case when jsonb_typeof(record -> 'value') = 'number' then (record ->> 'value')::numeric end as value,
        record -> 'value' as value_json,

        -- dates: Meta's reporting day (time_series) or the UTC day asked for (total_value)
        (record ->> 'metric_date')::date as metric_date,
        end_time,

        -- lineage
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
