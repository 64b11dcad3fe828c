{#- Consultations per month and user segment, with shares and the year to date.
    The report's "Pengguna Layanan" counts consultations (1469 = the month's tickets),
    not distinct people; `users` gives the distinct users as well. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

segments as (

    select * from {{ ref('dim_user_segment') }}

),

months as (

    {{ month_spine('consultations', 'created_month') }}

),

month_totals as (

    select created_month as month, count(*) as month_consultations
    from consultations
    group by 1

),

counts as (

    select created_month as month, segment, count(*) as consultations, count(distinct user_key) as users
    from consultations
    group by 1, 2

),

monthly as (

    select
        months.month,
        segments.segment_name,
        segments.segment_key,
        segments.is_reported,
        segments.sort_order,
        coalesce(counts.consultations, 0) as consultations,
        coalesce(counts.users, 0) as users,
        coalesce(month_totals.month_consultations, 0) as month_consultations
    from months
    cross join segments
    left join counts
        on months.month = counts.month
        and segments.segment_name = counts.segment
    left join month_totals
        on months.month = month_totals.month

),

with_totals as (

    select
        monthly.*,
        sum(consultations) over (partition by month) as month_segment_sum,
        sum(consultations) filter (where is_reported) over (partition by month) as month_reported_sum,
        sum(consultations) over (
            partition by segment_name, date_trunc('year', month) order by month
        ) as consultations_ytd,
        sum(month_consultations) over (
            partition by segment_name, date_trunc('year', month) order by month
        ) as year_consultations_ytd
    from monthly

),

final as (

    select
        -- grain
        month,
        segment_name,

        -- attributes
        segment_key,
        is_reported,
        sort_order,

        -- the month
        consultations,
        users,
        {{ share_ratio('consultations', 'month_consultations') }} as share_of_month,

        -- the year to date
        consultations_ytd,
        {{ share_ratio('consultations_ytd', 'year_consultations_ytd') }} as share_of_year_to_date,

        -- checks: the segments add up to the month's consultations
        month_consultations,
        month_segment_sum,
        month_reported_sum

    from with_totals

)

select * from final
