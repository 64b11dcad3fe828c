{#- Escalated consultations per month: count, share of the month's consultations, year to date, topics. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

months as (

    {{ month_spine('consultations', 'created_month') }}

),

counts as (

    select
        created_month as month,
        count(*) as consultations,
        count(*) filter (where is_escalated) as escalated
    from consultations
    group by 1

),

topics as (

    select month, string_agg(topic || ' (' || n || ')', ', ' order by n desc, topic) as escalation_topics
    from (
        select created_month as month, coalesce(topic, 'unknown') as topic, count(*) as n
        from consultations
        where is_escalated
        group by 1, 2
    ) as by_topic
    group by 1

),

monthly as (

    select
        months.month,
        coalesce(counts.consultations, 0) as consultations,
        coalesce(counts.escalated, 0) as escalated
    from months
    left join counts
        on months.month = counts.month

),

final as (

    select
        -- grain
        monthly.month,

        -- the month
        monthly.consultations,
        monthly.escalated,
        {{ share_ratio('monthly.escalated', 'monthly.consultations') }} as escalated_share,
        topics.escalation_topics,

        -- the year to date
        sum(monthly.escalated) over (partition by date_trunc('year', monthly.month) order by monthly.month)
            as escalated_ytd,
        sum(monthly.consultations) over (partition by date_trunc('year', monthly.month) order by monthly.month)
            as consultations_ytd

    from monthly
    left join topics
        on monthly.month = topics.month

)

select * from final
