{#- Region texts that did not resolve, most frequent first: what the team should map in
    seed ref_region_aliases (or accept as not a region). Engineers only (schema review,
    never granted to bi_reader): people type their names where a region belongs, so
    these texts are personal data (UU 27/2022). BI and the report get counts only
    (mart_monthly_region_match_rate). Was marts.mart_unmatched_regions. -#}
with

texts as (

    select * from {{ ref('int_users__region_normalised') }}
    where match_status = 'unmatched'

),

final as (

    select
        -- grain
        region_text_clean,

        -- how it was typed
        string_agg(region_text, ' | ' order by consultations desc, region_text asc) as typed_as,
        count(*) as spellings,

        -- use
        sum(consultations) as consultations,
        sum(users) as users,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at

    from texts
    group by region_text_clean

)

select * from final
order by consultations desc, region_text_clean asc
