{#- The phone hotline (150420) per month, from CMS: calls offered, answered, abandoned,
    abandon rate = abandoned / offered, ASA = sum(anstime) / sum(acdcalls). Ratios are
    always ratios of sums over the month (or year to date), never averages of interval
    ratios. Months without calls count 0; ratios of a month without calls are null. -#}
with

intervals as (

    select * from {{ ref('int_phone__split_intervals') }}
    where is_consultation

),

months as (

    {{ month_spine('intervals', 'month') }}

),

sums as (

    select
        month,
        sum(calls_offered) as calls_offered,
        sum(acd_calls) as calls_answered,
        sum(abandoned_calls) as calls_abandoned,
        sum(answer_seconds) as answer_seconds
    from intervals
    group by month

),

monthly as (

    select
        months.month,
        coalesce(sums.calls_offered, 0) as calls_offered,
        coalesce(sums.calls_answered, 0) as calls_answered,
        coalesce(sums.calls_abandoned, 0) as calls_abandoned,
        coalesce(sums.answer_seconds, 0) as answer_seconds
    from months
    left join sums
        on months.month = sums.month

),

with_ytd as (

    select
        monthly.*,
        {%- for col in ['calls_offered', 'calls_answered', 'calls_abandoned', 'answer_seconds'] %}
        sum({{ col }}) over (partition by date_trunc('year', month) order by month) as {{ col }}_ytd,
        {%- endfor %}
        {{ share_ratio('calls_abandoned', 'calls_offered') }} as abandon_rate,
        {{ share_ratio('answer_seconds', 'calls_answered') }} as asa_seconds
    from monthly

),

with_ratios_ytd as (

    select
        with_ytd.*,
        {{ share_ratio('calls_abandoned_ytd', 'calls_offered_ytd') }} as abandon_rate_ytd,
        {{ share_ratio('answer_seconds_ytd', 'calls_answered_ytd') }} as asa_seconds_ytd
    from with_ytd

),

{%- set measures = ['calls_offered', 'calls_answered', 'calls_abandoned', 'abandon_rate', 'asa_seconds'] %}

final as (

    select
        -- grain
        cur.month,

        {% for m in measures -%}
        -- {{ m }}
        cur.{{ m }},
        prev.{{ m }} as {{ m }}_prev_month,
        last_year.{{ m }} as {{ m }}_same_month_last_year,
        cur.{{ m }}_ytd,
        {{ change_ratio('cur.' ~ m, 'prev.' ~ m) }} as {{ m }}_mom_change,
        {{ change_ratio('cur.' ~ m, 'last_year.' ~ m) }} as {{ m }}_yoy_change,

        {% endfor -%}
        -- sums behind the ratios
        cur.answer_seconds,
        cur.answer_seconds_ytd

    from with_ratios_ytd as cur
    left join with_ratios_ytd as prev
        on prev.month = (cur.month - interval '1 month')::date
    left join with_ratios_ytd as last_year
        on last_year.month = (cur.month - interval '1 year')::date

)

select * from final
