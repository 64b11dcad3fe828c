{#- The website section of the report, per month: visitors (unique users, read
    from GA4's one-month report, never summed from days) and publications (posts
    in a report category, by month of publication in the report's time zone),
    each with the previous month, the same month a year before and the changes;
    publications also with the calendar year to date. Visitors have no year to
    date: unique users of twelve months are not the sum of twelve months. -#}
with

months as (

    select * from {{ ref('int_website__months') }}

),

visitors as (

    select * from {{ ref('int_website__monthly_visitors') }}

),

publications as (

    select * from {{ ref('int_website__publications') }}
    where is_publication

),

publication_counts as (

    select
        published_month as month,
        count(*) as publications
    from publications
    group by 1

),

monthly as (

    select
        months.month,
        visitors.visitors,
        visitors.total_users,
        visitors.sessions,
        visitors.page_views,
        visitors.summed_daily_users,
        case when months.has_publication_data then coalesce(publication_counts.publications, 0) end
            as publications
    from months
    left join visitors
        on months.month = visitors.month
    left join publication_counts
        on months.month = publication_counts.month

),

compared as (

    {{ monthly_comparisons('monthly', ['visitors', 'publications'], ytd=['publications']) }}

),

final as (

    select
        -- grain
        month,

        -- visitors: unique users of the month
        visitors,
        visitors_prev_month,
        visitors_same_month_last_year,
        visitors_mom_change,
        visitors_yoy_change,

        -- publications
        publications,
        publications_prev_month,
        publications_same_month_last_year,
        -- a month without publication data has no year to date either
        case when publications is not null then publications_ytd end as publications_ytd,
        publications_mom_change,
        publications_yoy_change,

        -- traffic detail (additive over days)
        total_users,
        sessions,
        page_views,
        -- NOT visitors: the same person counted once per day visited (kept to show the difference)
        summed_daily_users

    from compared

)

select * from final
