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

    select
        topic_name,
        sort_order
    from {{ ref('dim_topic') }}
    union all
    select
        'unclassified' as topic_name,
        999 as sort_order

),

month_totals as (

    {{ monthly_counts('consultations', 'created_month', {'month_consultations': 'count(*)'}) }}

),

monthly as (

    select
        topic_counts.*,
        month_totals.month_consultations
    from (
        {{ monthly_counts('consultations', 'created_month', {'consultations': 'count(*)'},
                          across='topics', keys={'topic_name': "coalesce(topic, 'unclassified')"}) }}
    ) as topic_counts
    inner join month_totals
        on topic_counts.month = month_totals.month

),

compared as (

    {{ monthly_comparisons('monthly', ['consultations'], partition_by=['topic_name']) }}

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
        rank() over (partition by month order by consultations desc) as rank_month,

        -- comparisons
        consultations_prev_month,
        consultations_same_month_last_year,
        consultations_ytd,
        consultations_mom_change as mom_change,
        consultations_yoy_change as yoy_change,

        -- check: the topics add up to the month's consultations
        month_consultations,
        sum(consultations) over (partition by month) as month_topic_sum

    from compared

)

select * from final
