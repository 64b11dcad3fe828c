{#- Every distinct region text users typed, with how it normalised (in
    int_consultations__enriched) and how often it was typed: the base of the unmatched
    list (review.unmatched_regions). Engineers only: the texts may hold names. -#}
with

consultations as (

    select * from {{ ref('int_consultations__enriched') }}

),

final as (

    select
        -- grain
        coalesce(region_text, '') as region_text,

        -- normalisation
        min(region_text_clean) as region_text_clean,
        min(region_code) as region_code,
        min(region_label) as region_label,
        case
            when min(region_text_clean) = '' then 'empty'
            when min(region_code) is null then 'unmatched'
            else 'matched'
        end as match_status,

        -- use
        count(*) as consultations,
        count(distinct user_key) as users,
        min(created_at) as first_seen_at,
        max(created_at) as last_seen_at,
        string_agg(distinct channel_key, ', ' order by channel_key) as channels

    from consultations
    group by 1

)

select * from final
