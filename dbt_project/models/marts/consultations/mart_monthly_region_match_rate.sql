{#- How many consultations' typed regions resolve, per month, and how many distinct
    texts did not: counts only. The texts themselves may hold names (UU 27/2022); the
    list for the data team to map is review.unmatched_regions, which BI cannot read. -#}
with

consultations as (

    select * from {{ ref('int_consultations__enriched') }}

),

final as (

    select
        created_month as month,
        count(*) as consultations,
        count(*) filter (where region_text_clean <> '') as with_region_text,
        count(*) filter (where region_code is not null) as matched,
        count(*) filter (where region_text_clean <> '' and region_code is null) as unmatched,
        count(distinct region_text_clean) filter (where region_text_clean <> '' and region_code is null)
            as unmatched_texts,
        {{ share_ratio("count(*) filter (where region_code is not null)",
                       "count(*) filter (where region_text_clean <> '')") }} as match_rate,
        {{ share_ratio("count(*) filter (where region_code is not null)", "count(*)") }} as matched_share
    from consultations
    group by 1

)

select * from final
