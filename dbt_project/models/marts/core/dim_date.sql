{#- Calendar days of the years the holiday seed covers, with Indonesian public holidays. -#}
with

holidays as (

    select * from {{ ref('ref_public_holidays') }}

),

days as (

    select generate_series(
        date_trunc('year', (select min(holiday_date) from holidays)),
        date_trunc('year', (select max(holiday_date) from holidays)) + interval '1 year' - interval '1 day',
        interval '1 day'
    )::date as date_day

),

final as (

    select
        days.date_day,
        date_trunc('month', days.date_day)::date as month,
        extract(year from days.date_day)::integer as year,
        extract(isodow from days.date_day)::integer as iso_day_of_week,
        extract(isodow from days.date_day) >= 6 as is_weekend,
        holidays.holiday_name,
        holidays.holiday_kind,
        coalesce(holidays.holiday_kind = 'national', false) as is_public_holiday,
        coalesce(holidays.holiday_kind = 'cuti_bersama', false) as is_cuti_bersama,
        extract(isodow from days.date_day) in ({{ sql_list(var('service_hours_days', [1, 2, 3, 4, 5])) }})
        and coalesce(holidays.holiday_kind not in (
            {{ sql_list(var('service_hours_closed_holiday_kinds', ['national', 'cuti_bersama'])) }}
        ), true) as is_service_day
    from days
    left join holidays
        on days.date_day = holidays.holiday_date

)

select * from final
