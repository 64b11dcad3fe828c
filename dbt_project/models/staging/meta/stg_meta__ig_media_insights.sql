with

source as (

    select * from {{ raw_source('meta', 'meta__ig_media_insights', {'media_id': 'text', 'metric': 'text'}) }}

),

renamed as (

    select
        -- ids
        media_id,
        metric,

        -- attributes
        record ->> 'period' as period,

        -- values (breakdown metrics come as objects: kept in value_json only)
        case when jsonb_typeof(record -> 'value') = 'number' then (record ->> 'value')::numeric end as value,
        record -> 'value' as value_json,

        -- lineage
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
