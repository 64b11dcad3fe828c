{#- Consultations per month and topic (the report's "Topik Konsultasi Teknis"), every
    channel together, with the share of the month, the previous month, the same month
    last year and the year to date. A consultation whose source gives no topic in the
    report's vocabulary counts under `unclassified`, so the topics always add up to
    the month's consultations. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

topics as (

    select topic_name, sort_order from {{ ref('dim_topic') }}
    union all
    select 'unclassified', 999

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

    select created_month as month, coalesce(topic, 'unclassified') as topic_name, count(*) as consultations
    from consultations
    group by 1, 2

),

monthly as (

    select
        months.month,
        topics.topic_name,
        topics.sort_order,
        coalesce(counts.consultations, 0) as consultations,
        coalesce(month_totals.month_consultations, 0) as month_consultations
    from months
    cross join topics
    left join counts
        on months.month = counts.month
        and topics.topic_name = counts.topic_name
    left join month_totals
        on months.month = month_totals.month

),

compared as (

    select
        monthly.*,
        lag(consultations) over (partition by topic_name order by month) as consultations_prev_month,
        lag(consultations, 12) over (partition by topic_name order by month) as consultations_same_month_last_year,
        sum(consultations) over (partition by topic_name, date_trunc('year', month) order by month) as consultations_ytd,
        sum(consultations) over (partition by month) as month_topic_sum,
        rank() over (partition by month order by consultations desc) as rank_month
    from monthly

),

final as (

    select
        -- grain
        month,
        topic_name,

        -- attributes
        sort_order,

        -- the month
        consultations,
        {{ share_ratio('consultations', 'month_consultations') }} as share_of_month,
        rank_month,

        -- comparisons
        consultations_prev_month,
        consultations_same_month_last_year,
        consultations_ytd,
        {{ change_ratio('consultations', 'consultations_prev_month') }} as mom_change,
        {{ change_ratio('consultations', 'consultations_same_month_last_year') }} as yoy_change,

        -- check: the topics add up to the month's consultations
        month_consultations,
        month_topic_sum

    from compared

)

select * from final
