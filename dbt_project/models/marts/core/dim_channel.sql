with

channels as (

    select * from {{ ref('channels') }}

),

final as (

    select
        channel_key,
        channel_name,
        metric_key,
        source_system,
        is_consultation_channel,
        sort_order
    from channels

)

select * from final
