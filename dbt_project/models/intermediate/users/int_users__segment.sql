{#- The segment of each user: the segment of most of their consultations (the latest on a tie). -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

per_segment as (

    select
        user_key,
        segment,
        count(*) as consultations,
        max(created_at) as last_at
    from consultations
    where user_key is not null  -- anonymous callers are nobody's
    group by 1, 2

),

ranked as (

    select
        per_segment.*,
        row_number()
            over (
                partition by per_segment.user_key
                order by per_segment.consultations desc, per_segment.last_at desc, per_segment.segment asc
            )
            as pick,
        count(*) over (partition by per_segment.user_key) as segments_seen,
        sum(per_segment.consultations) over (partition by per_segment.user_key) as user_consultations
    from per_segment

),

final as (

    select
        user_key,
        segment,
        user_consultations as consultations,
        segments_seen,
        segments_seen > 1 as has_several_segments
    from ranked
    where pick = 1

)

select * from final
