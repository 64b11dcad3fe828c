{#- Register entries per month and register kind, with the report's comparisons.
    A month with a sheet but no rows counts 0; a month without a sheet (the register
    was not kept, or not loaded) has no value (null), never 0. The year to date sums
    the calendar year through the row's month. -#}
with

entries as (

    select * from {{ ref('int_registers__entries') }}

),

coverage as (

    select * from {{ ref('int_registers__sheet_months') }}

),

kinds as (

    select * from {{ ref('registers_kinds') }}

),

bounds as (

    select
        register_kind,
        min(month) as first_month
    from coverage
    group by 1

),

spine as (

    select
        bounds.register_kind,
        month_::date as month
    from bounds
    cross join lateral generate_series(
        bounds.first_month,
        (select max(month) from coverage),
        interval '1 month'
    ) as month_

),

counts as (

    select
        register_kind,
        entry_month as month,
        count(*) as entries
    from entries
    group by 1, 2

),

monthly as (

    select
        spine.month,
        spine.register_kind,
        coverage.month is not null as sheet_present,
        case when coverage.month is not null then coalesce(counts.entries, 0) end as entries
    from spine
    left join coverage
        on
            spine.register_kind = coverage.register_kind
            and spine.month = coverage.month
    left join counts
        on
            spine.register_kind = counts.register_kind
            and spine.month = counts.month

),

compared as (

    {{ monthly_comparisons('monthly', ['entries'], partition_by=['register_kind']) }}

),

final as (

    select
        -- grain
        compared.month,
        compared.register_kind,
        kinds.metric_key,
        kinds.label,
        kinds.sort_order,

        -- counts
        compared.sheet_present,
        compared.entries,
        compared.entries_prev_month,
        compared.entries_same_month_last_year,
        compared.entries_ytd,

        -- changes (ratios; rounded only when presented)
        compared.entries_mom_change as mom_change,
        compared.entries_yoy_change as yoy_change

    from compared
    inner join kinds
        on compared.register_kind = kinds.register_kind

)

select * from final
