{#- Website traffic per month. The visitors of a month are READ from the report
    GA4 answered for exactly that month; they are never a sum of daily users
    (a visitor who comes back on ten days is one visitor of the month). Sessions
    and page views do add up over days. -#}
with

monthly_users as (

    select * from {{ ref('stg_ga4__monthly_users') }}

),

daily_traffic as (

    select * from {{ ref('stg_ga4__daily_traffic') }}

),

top_pages as (

    select * from {{ ref('stg_ga4__top_pages') }}

),

days as (

    select
        date_trunc('month', traffic_date)::date as month,
        count(*) as days_with_traffic,
        sum(active_users) as summed_daily_users,
        sum(sessions) as sessions,
        sum(page_views) as page_views
    from daily_traffic
    group by 1

),

pages as (

    select
        month,
        sum(page_views) as page_views_in_page_report
    from top_pages
    group by 1

),

final as (

    select
        -- grain
        coalesce(monthly_users.month, days.month, pages.month) as month,

        -- unique users of the month (the report's "pengunjung")
        monthly_users.active_users as visitors,
        monthly_users.total_users,

        -- additive over days
        days.sessions,
        days.page_views,
        days.days_with_traffic,
        extract(day from (
            date_trunc('month', coalesce(monthly_users.month, days.month, pages.month))
            + interval '1 month' - interval '1 day'
        ))::integer as days_in_month,

        -- for reconciliation only: NOT visitors (returning visitors counted once per day)
        days.summed_daily_users,
        pages.page_views_in_page_report

    from monthly_users
    full outer join days
        on monthly_users.month = days.month
    full outer join pages
        on coalesce(monthly_users.month, days.month) = pages.month

)

select * from final
