{#- Minutes between two timestamptz that fall inside the contact center's own working
    hours: service days (var service_hours_days, Monday-Friday; not a day of the
    `holidays` relation) from var service_hours_start to service_hours_end in the
    report's time zone (var report_timezone), where the agents work. Null when the
    end is null; 0 when it is not after the start. The business-hours counterpart of
    dbt_zendesk's calendar/business minutes. -#}
{% macro business_minutes(start_ts, end_ts, holidays='holidays') -%}
    {%- set tz = var('report_timezone', 'Asia/Jakarta') -%}
    {%- set open = var('service_hours_start', '08:00') -%}
    {%- set close = var('service_hours_end', '17:00') -%}
    case when {{ end_ts }} is null or {{ start_ts }} is null then null else (
        select (coalesce(sum(greatest(0, extract(epoch from
                   least({{ end_ts }}, (business_days.day + time '{{ close }}') at time zone '{{ tz }}')
                   - greatest({{ start_ts }}, (business_days.day + time '{{ open }}') at time zone '{{ tz }}')))), 0)
                / 60.0)::double precision
        from generate_series(
            ({{ start_ts }} at time zone '{{ tz }}')::date::timestamp,
            ({{ end_ts }} at time zone '{{ tz }}')::date::timestamp,
            interval '1 day'
        ) as business_days (day)
        where extract(isodow from business_days.day) in ({{ sql_list(var('service_hours_days', [1, 2, 3, 4, 5])) }})
          and not exists (select 1 from {{ holidays }} where {{ holidays }}.holiday_date = business_days.day::date)
    ) end
{%- endmacro %}
