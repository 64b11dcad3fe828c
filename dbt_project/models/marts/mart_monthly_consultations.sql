{#- Consultations per month, all channels whose source is loaded, with the report's comparisons. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

months as (

    {{ month_spine('consultations', 'created_month') }}

),

counts as (

    select created_month as month, count(*) as consultations
    from consultations
    group by 1

),

monthly as (

    select months.month, coalesce(counts.consultations, 0) as consultations
    from months
    left join counts
        on months.month = counts.month

),

compared as (

    select
        cur.month,
        cur.consultations,
        prev.consultations as consultations_prev_month,
        last_year.consultations as consultations_same_month_last_year,
        sum(cur.consultations) over (partition by date_trunc('year', cur.month) order by cur.month)
            as consultations_ytd
    from monthly as cur
    left join monthly as prev
        on prev.month = (cur.month - interval '1 month')::date
    left join monthly as last_year
        on last_year.month = (cur.month - interval '1 year')::date

),

final as (

    select
        -- grain
        compared.month,

        -- counts
        compared.consultations,
        compared.consultations_prev_month,
        compared.consultations_same_month_last_year,
        compared.consultations_ytd,

        -- changes (ratios; rounded only when presented)
        {{ change_ratio('compared.consultations', 'compared.consultations_prev_month') }} as mom_change,
        {{ change_ratio('compared.consultations', 'compared.consultations_same_month_last_year') }} as yoy_change,

        -- which sources the figures cover
        (select string_agg(distinct source_system, ', ' order by source_system) from consultations)
            as sources_loaded

    from compared

)

select * from final
