{#- Escalated consultations per month: count, share of the month's consultations, year to date, topics. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

topics as (

    select
        month,
        string_agg(topic || ' (' || n || ')', ', ' order by n desc, topic asc) as escalation_topics
    from (
        select
            created_month as month,
            coalesce(topic, 'unknown') as topic,
            count(*) as n
        from consultations
        where is_escalated
        group by 1, 2
    ) as by_topic
    group by 1

),

monthly as (

    {{ monthly_counts('consultations', 'created_month', {
        'consultations': 'count(*)',
        'escalated': 'count(*) filter (where is_escalated)',
    }) }}

),

compared as (

    {{ monthly_comparisons('monthly', [], ytd=['escalated', 'consultations']) }}

),

final as (

    select
        -- grain
        compared.month,

        -- the month
        compared.consultations,
        compared.escalated,
        {{ share_ratio('compared.escalated', 'compared.consultations') }} as escalated_share,
        topics.escalation_topics,

        -- the year to date
        compared.escalated_ytd,
        compared.consultations_ytd

    from compared
    left join topics
        on compared.month = topics.month

)

select * from final
