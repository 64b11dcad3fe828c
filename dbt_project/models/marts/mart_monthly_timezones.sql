{#- Consultations per month by whether the user's time zone is known, and by service hours
    judged in that time zone (WIB/WITA/WIT). -#}
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
        count(*) filter (where is_timezone_identified) as identified,
        count(*) filter (where not is_timezone_identified) as unidentified,
        count(*) filter (where is_within_service_hours) as within_service_hours,
        count(*) filter (where not is_within_service_hours) as outside_service_hours,
        {%- for tz in ['WIB', 'WITA', 'WIT'] %}
        count(*) filter (where timezone = '{{ tz }}') as identified_{{ tz | lower }},
        count(*) filter (where timezone = '{{ tz }}' and is_within_service_hours) as within_{{ tz | lower }},
        count(*) filter (where timezone = '{{ tz }}' and not is_within_service_hours) as outside_{{ tz | lower }}{{ "," if not loop.last }}
        {%- endfor %}
    from consultations
    group by 1

),

final as (

    select
        -- grain
        months.month,

        -- counts
        coalesce(counts.consultations, 0) as consultations,
        coalesce(counts.identified, 0) as identified,
        coalesce(counts.unidentified, 0) as unidentified,
        coalesce(counts.within_service_hours, 0) as within_service_hours,
        coalesce(counts.outside_service_hours, 0) as outside_service_hours,
        {%- for tz in ['wib', 'wita', 'wit'] %}
        coalesce(counts.identified_{{ tz }}, 0) as identified_{{ tz }},
        coalesce(counts.within_{{ tz }}, 0) as within_{{ tz }},
        coalesce(counts.outside_{{ tz }}, 0) as outside_{{ tz }},
        {%- endfor %}

        -- shares (ratios)
        {{ share_ratio('coalesce(counts.identified, 0)', 'counts.consultations') }} as identified_share,
        {{ share_ratio('coalesce(counts.outside_service_hours, 0)', 'counts.identified') }} as outside_share_of_identified,
        {%- for tz in ['wib', 'wita', 'wit'] %}
        {{ share_ratio('coalesce(counts.outside_' ~ tz ~ ', 0)', 'counts.outside_service_hours') }} as outside_{{ tz }}_share{{ "," if not loop.last }}
        {%- endfor %}

    from months
    left join counts
        on months.month = counts.month

)

select * from final
