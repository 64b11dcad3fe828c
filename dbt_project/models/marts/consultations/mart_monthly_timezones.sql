{#- Consultations per month by whether the user's time zone is known, and by service hours
    judged in that time zone (WIB/WITA/WIT). -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

{%- set measures = {
    'consultations': 'count(*)',
    'identified': 'count(*) filter (where is_timezone_identified)',
    'unidentified': 'count(*) filter (where not is_timezone_identified)',
    'within_service_hours': 'count(*) filter (where is_within_service_hours)',
    'outside_service_hours': 'count(*) filter (where not is_within_service_hours)',
} %}
{%- for tz in ['WIB', 'WITA', 'WIT'] %}
{%- do measures.update({
    'identified_' ~ tz | lower: "count(*) filter (where timezone = '" ~ tz ~ "')",
    'within_' ~ tz | lower: "count(*) filter (where timezone = '" ~ tz ~ "' and is_within_service_hours)",
    'outside_' ~ tz | lower: "count(*) filter (where timezone = '" ~ tz ~ "' and not is_within_service_hours)",
}) %}
{%- endfor %}

monthly as (

    {{ monthly_counts('consultations', 'created_month', measures) }}

),

final as (

    select
        -- grain
        month,

        -- counts
        {%- for name in measures %}
            {{ name }},
        {%- endfor %}

        -- shares (ratios; null when the month has no consultations)
        {{ share_ratio('identified', 'consultations') }} as identified_share,
        {{ share_ratio('outside_service_hours', 'identified') }} as outside_share_of_identified,
    {%- for tz in ['wib', 'wita', 'wit'] %}
        {{ share_ratio('outside_' ~ tz, 'outside_service_hours') }} as outside_{{ tz }}_share
        {{- "," if not loop.last }}
    {%- endfor %}

    from monthly

)

select * from final
