{#- The report's "Publikasi Konten Media Sosial": the mean, over the platforms, of
    the content each published in the month (Instagram feed + stories, X posts,
    Facebook posts), unrounded (113 / 3 = 37.67 for December 2023; the report
    prints 38), with the previous month, the same month last year and the changes.
    Only platforms with a known content total count; `platforms` says how many. -#}
with

social as (

    select * from {{ ref('mart_monthly_social') }}
    where content_total is not null

),

monthly as (

    select
        month,
        count(*) as platforms,
        sum(content_total) as content_total,
        avg(content_total)::double precision as content_avg,
        sum(content_total) filter (where platform = 'instagram') as instagram_content,
        sum(content_total) filter (where platform = 'twitter') as twitter_content,
        sum(content_total) filter (where platform = 'facebook') as facebook_content
    from social
    group by 1

),

compared as (

    {{ monthly_comparisons('monthly', ['content_avg'], ytd=[]) }}

),

final as (

    select
        -- grain
        month,

        -- measures
        platforms,
        content_total,
        content_avg,
        content_avg_prev_month,
        content_avg_same_month_last_year,

        -- per platform
        instagram_content,
        twitter_content,
        facebook_content,

        -- changes (ratios; rounded only when presented)
        content_avg_mom_change as mom_change,
        content_avg_yoy_change as yoy_change

    from compared

)

select * from final
