{#- Consultations per month and channel with the report's comparisons.
    Months with no consultations count 0 (the month spine); a month before the
    data begins has no previous value (null), never 0. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

channels as (

    select * from {{ ref('dim_channel') }}
    where is_consultation_channel
      and source_system in (select distinct source_system from consultations)

),

months as (

    {{ month_spine('consultations', 'created_month') }}

),

spine as (

    select months.month, channels.channel_key
    from months
    cross join channels

),

counts as (

    select created_month as month, channel_key, count(*) as tickets
    from consultations
    group by 1, 2

),

monthly as (

    select
        spine.month,
        spine.channel_key,
        coalesce(counts.tickets, 0) as tickets
    from spine
    left join counts
        on spine.month = counts.month
        and spine.channel_key = counts.channel_key

),

compared as (

    select
        cur.month,
        cur.channel_key,
        cur.tickets,
        prev.tickets as tickets_prev_month,
        last_year.tickets as tickets_same_month_last_year,
        sum(cur.tickets) over (
            partition by cur.channel_key, date_trunc('year', cur.month)
            order by cur.month
        ) as tickets_ytd
    from monthly as cur
    left join monthly as prev
        on prev.channel_key = cur.channel_key
        and prev.month = (cur.month - interval '1 month')::date
    left join monthly as last_year
        on last_year.channel_key = cur.channel_key
        and last_year.month = (cur.month - interval '1 year')::date

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
        {{ change_ratio('compared.tickets', 'compared.tickets_prev_month') }} as mom_change,
        {{ change_ratio('compared.tickets', 'compared.tickets_same_month_last_year') }} as yoy_change

    from compared
    inner join channels
        on compared.channel_key = channels.channel_key

)

select * from final
