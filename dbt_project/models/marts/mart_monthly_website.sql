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

    select published_month as month, count(*) as publications
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

    select
        cur.*,
        prev.visitors as visitors_prev_month,
        last_year.visitors as visitors_same_month_last_year,
        prev.publications as publications_prev_month,
        last_year.publications as publications_same_month_last_year,
        case when cur.publications is not null then
            sum(cur.publications) over (
                partition by date_trunc('year', cur.month)
                order by cur.month
            )
        end as publications_ytd
    from monthly as cur
    left join monthly as prev
        on prev.month = (cur.month - interval '1 month')::date
    left join monthly as last_year
        on last_year.month = (cur.month - interval '1 year')::date

),

final as (

    select
        -- grain
        month,

        -- visitors: unique users of the month
        visitors,
        visitors_prev_month,
        visitors_same_month_last_year,
        {{ change_ratio('visitors', 'visitors_prev_month') }} as visitors_mom_change,
        {{ change_ratio('visitors', 'visitors_same_month_last_year') }} as visitors_yoy_change,

        -- publications
        publications,
        publications_prev_month,
        publications_same_month_last_year,
        publications_ytd,
        {{ change_ratio('publications', 'publications_prev_month') }} as publications_mom_change,
        {{ change_ratio('publications', 'publications_same_month_last_year') }} as publications_yoy_change,

        -- traffic detail (additive over days)
        total_users,
        sessions,
        page_views,
        -- NOT visitors: the same person counted once per day visited (kept to show the difference)
        summed_daily_users

    from compared

)

select * from final
