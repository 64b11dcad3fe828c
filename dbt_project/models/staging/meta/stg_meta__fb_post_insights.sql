with

source as (

    select * from {{ raw_source('meta', 'meta__fb_post_insights', {'post_id': 'text', 'metric': 'text'}) }}

),

renamed as (

    select
        -- ids
        post_id,
        metric,

        -- attributes
        record ->> 'period' as period,

        -- values
        case when jsonb_typeof(record -> 'value') = 'number' then (record ->> 'value')::numeric end as value,
        record -> 'value' as value_json,

        -- lineage
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
