{#- Consultations per month, all channels whose source is loaded, with the report's comparisons. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

monthly as (

    {{ monthly_counts('consultations', 'created_month', {'consultations': 'count(*)'}) }}

),

compared as (

    {{ monthly_comparisons('monthly', ['consultations']) }}

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
        compared.consultations_mom_change as mom_change,
        compared.consultations_yoy_change as yoy_change,

        -- which sources the figures cover
        (
            select string_agg(distinct consultations.source_system, ', ' order by consultations.source_system)
            from consultations
        ) as sources_loaded

    from compared

)

select * from final
