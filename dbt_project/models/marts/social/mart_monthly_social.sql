{#- Social media per month and platform, with the report's comparisons.

    posts            items counted as posts (int_social__content.is_post)
    stories          Instagram stories (null for platforms without stories, and for
                     months before the daily captures began: stories cannot be read
                     afterwards, so such a month has no value, not 0)
    content_total    posts + stories: what the cross-platform average counts
    followers_end_of_month   the last daily snapshot of the month (null without one)
    reach_total      sum of the lifetime reach of the month's posts (Instagram feed
                     media, Facebook posts); reach_avg = reach_total / posts with reach
    profile_visits   sum of the days of the month (X analytics export; null without)

    A platform appears from the first month it has any data; a month before that
    has no row, so its first month has no previous value. Changes are
    change_ratio(current, earlier), unrounded. -#}
{%- set measures = ['posts', 'stories', 'content_total', 'followers_end_of_month', 'reach_total', 'reach_avg',
                    'profile_visits'] -%}
{%- set additive = ['posts', 'stories', 'content_total', 'reach_total', 'profile_visits'] -%}
with

content as (

    select * from {{ ref('int_social__content') }}

),

followers as (

    select
        platform,
        snapshot_date,
        followers_count,
        date_trunc('month', snapshot_date)::date as month
    from {{ ref('int_social__followers_daily') }}

),

visits as (

    select
        platform,
        profile_visits,
        date_trunc('month', activity_date)::date as month
    from {{ ref('int_social__profile_visits_daily') }}

),

platform_months as (

    select
        platform,
        published_month as month
    from content
    union all
    select
        platform,
        month
    from followers
    union all
    select
        platform,
        month
    from visits

),

platform_firsts as (

    select
        platform,
        min(month) as first_month
    from platform_months
    group by platform

),

platform_bounds as (

    select max(month) as last_month
    from platform_months

),

spine as (

    select
        platforms.platform,
        generate_series(platforms.first_month, bounds.last_month, interval '1 month')::date as month
    from platform_firsts as platforms
    cross join platform_bounds as bounds

),

story_capture as (

    -- stories exist only from the month the daily captures of the account began
    select
        platform,
        min(month) as first_month
    from followers
    where platform = 'instagram'
    group by platform

),

content_counts as (

    select
        platform,
        published_month as month,
        count(*) filter (where is_post) as posts,
        count(*) filter (where content_type = 'reels') as reels,
        count(*) filter (where content_type = 'story') as stories,
        sum(reach) filter (where is_post) as reach_total,
        count(reach) filter (where is_post) as posts_with_reach
    from content
    group by platform, published_month

),

month_end_followers as (

    select distinct on (platform, month)
        platform,
        month,
        followers_count as followers_end_of_month,
        snapshot_date as followers_snapshot_date
    from followers
    order by platform asc, month asc, snapshot_date desc

),

visit_totals as (

    select
        platform,
        month,
        sum(profile_visits) as profile_visits
    from visits
    group by platform, month

),

monthly as (

    select
        spine.month,
        spine.platform,
        coalesce(content_counts.posts, 0) as posts,
        case when spine.platform = 'instagram' then coalesce(content_counts.reels, 0) end as reels,
        case
            when spine.platform = 'instagram' and spine.month >= story_capture.first_month
                then coalesce(content_counts.stories, 0)
        end as stories,
        month_end_followers.followers_end_of_month,
        month_end_followers.followers_snapshot_date,
        content_counts.reach_total,
        coalesce(content_counts.posts_with_reach, 0) as posts_with_reach,
        (content_counts.reach_total / nullif(content_counts.posts_with_reach, 0))::double precision as reach_avg,
        visit_totals.profile_visits
    from spine
    left join content_counts
        on
            spine.platform = content_counts.platform
            and spine.month = content_counts.month
    left join story_capture
        on spine.platform = story_capture.platform
    left join month_end_followers
        on
            spine.platform = month_end_followers.platform
            and spine.month = month_end_followers.month
    left join visit_totals
        on
            spine.platform = visit_totals.platform
            and spine.month = visit_totals.month

),

with_content as (

    select
        *,
        case
            when platform = 'instagram' then posts + stories  -- null while stories are unknown
            else posts
        end as content_total
    from monthly

),

compared as (

    {{ monthly_comparisons('with_content', measures, partition_by=['platform'], ytd=additive) }}

),

final as (

    select
        -- grain
        month,
        platform,

        -- measures, each with its previous month, same month last year and (when additive) year to date
        {%- for m in measures %}
            {{ m }},
            {{ m }}_prev_month,
            {{ m }}_same_month_last_year,
            {%- if m in additive %}
                {{ m }}_ytd,
            {%- endif %}
        {%- endfor %}

        -- detail
        reels,
        posts_with_reach,
        followers_snapshot_date,

        -- changes (ratios; rounded only when presented)
        {%- for m in measures %}
            {{ m }}_mom_change,
            {{ m }}_yoy_change{% if not loop.last %},{% endif %}
        {%- endfor %}

    from compared

)

select * from final
