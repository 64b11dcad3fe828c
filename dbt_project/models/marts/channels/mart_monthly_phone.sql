{#- The phone hotline (150420) per month, from CMS: calls offered, answered, abandoned,
    abandon rate = abandoned / offered, ASA = sum(anstime) / sum(acdcalls). Ratios are
    always ratios of sums over the month (or year to date), never averages of interval
    ratios. Months without calls count 0; ratios of a month without calls are null. -#}
with

intervals as (

    select * from {{ ref('int_phone__split_intervals') }}
    where is_consultation

),

monthly as (

    {{ monthly_counts('intervals', 'month', {
        'calls_offered': 'sum(calls_offered)',
        'calls_answered': 'sum(acd_calls)',
        'calls_abandoned': 'sum(abandoned_calls)',
        'answer_seconds': 'sum(answer_seconds)',
    }) }}

),

with_ratios as (

    select
        monthly.*,
        {{ share_ratio('calls_abandoned', 'calls_offered') }} as abandon_rate,
        {{ share_ratio('answer_seconds', 'calls_answered') }} as asa_seconds
    from monthly

),

{%- set measures = ['calls_offered', 'calls_answered', 'calls_abandoned', 'abandon_rate', 'asa_seconds'] %}
{%- set sums = ['calls_offered', 'calls_answered', 'calls_abandoned', 'answer_seconds'] %}
{#- a ratio's year to date is the ratio of the year-to-date sums -#}
{%- set ratios_ytd = {
    'abandon_rate': ('calls_abandoned_ytd', 'calls_offered_ytd'),
    'asa_seconds': ('answer_seconds_ytd', 'calls_answered_ytd'),
} %}

compared as (

    {{ monthly_comparisons('with_ratios', measures, ytd=sums) }}

),

final as (

    select
        -- grain
        month,

        {% for m in measures -%}
        -- {{ m }}
            {{ m }},
            {{ m }}_prev_month,
            {{ m }}_same_month_last_year,
            {% if m in ratios_ytd -%}
                {{ share_ratio(ratios_ytd[m][0], ratios_ytd[m][1]) }} as {{ m }}_ytd,
            {%- else -%}
                {{ m }}_ytd,
            {%- endif %}
            {{ m }}_mom_change,
            {{ m }}_yoy_change,

        {% endfor -%}
        -- sums behind the ratios
        answer_seconds,
        answer_seconds_ytd

    from compared

)

select * from final
