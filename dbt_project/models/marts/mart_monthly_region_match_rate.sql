{#- How many consultations' typed regions resolve, per month. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

final as (

    select
        created_month as month,
        count(*) as consultations,
        count(*) filter (where region_text_clean <> '') as with_region_text,
        count(*) filter (where region_code is not null) as matched,
        count(*) filter (where region_text_clean <> '' and region_code is null) as unmatched,
        {{ share_ratio("count(*) filter (where region_code is not null)",
                       "count(*) filter (where region_text_clean <> '')") }} as match_rate,
        {{ share_ratio("count(*) filter (where region_code is not null)", "count(*)") }} as matched_share
    from consultations
    group by 1

)

select * from final
