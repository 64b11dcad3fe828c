with

segments as (

    select * from {{ ref('ref_user_segments') }}

),

final as (

    select
        segment_name,
        segment_key,
        description,
        is_reported,
        sort_order
    from segments

)

select * from final
