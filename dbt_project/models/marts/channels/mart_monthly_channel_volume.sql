{#- Consultations per month and channel with the report's comparisons.
    Months with no consultations count 0 (the month spine); a month before the
    data begins has no previous value (null), never 0. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

channels as (

    select * from {{ ref('dim_channel') }}
    where
        is_consultation_channel
        and source_system in (select distinct consultations.source_system from consultations)

),

monthly as (

    {{ monthly_counts('consultations', 'created_month', {'tickets': 'count(*)'},
                      across='channels', keys={'channel_key': 'channel_key'}) }}

),

compared as (

    {{ monthly_comparisons('monthly', ['tickets'], partition_by=['channel_key']) }}

),

final as (

    select
        -- grain
        compared.month,
        compared.channel_key,
        channels.channel_name,
        channels.metric_key,

        -- counts
        compared.tickets,
        compared.tickets_prev_month,
        compared.tickets_same_month_last_year,
        compared.tickets_ytd,

        -- changes (ratios; rounded only when presented)
        compared.tickets_mom_change as mom_change,
        compared.tickets_yoy_change as yoy_change

    from compared
    inner join channels
        on compared.channel_key = channels.channel_key

)

select * from final
