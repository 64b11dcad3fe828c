{#- The one way every change is computed (DECISIONLOG.md, "Change"):
    (current - previous) / previous, as a ratio; null when there is no previous
    value or it is zero. Rounding happens only when a figure is presented. -#}
{% macro change_ratio(current, previous) -%}
    case when {{ previous }} is null or {{ previous }} = 0 then null
         else ({{ current }} - {{ previous }})::double precision / {{ previous }} end
{%- endmacro %}

{#- Share of a total, as a ratio; null when the total is zero. -#}
{% macro share_ratio(part, total) -%}
    case when {{ total }} is null or {{ total }} = 0 then null
         else {{ part }}::double precision / {{ total }} end
{%- endmacro %}

{#- A UTC timestamptz as wall-clock time in the report's time zone. -#}
{% macro to_report_time(ts) -%}
    ({{ ts }} at time zone '{{ var("report_timezone") }}')
{%- endmacro %}

{#- Deskpro writes "2023-12-04T02:02:02+0000"; Postgres reads that offset form. -#}
{% macro deskpro_ts(json_expr) -%}
    nullif({{ json_expr }}, '')::timestamptz
{%- endmacro %}

{#- Every month from the first to the last `column` of `relation` (a CTE name): the
    spine of a monthly mart, so a quiet month is a row (0), not a gap. -#}
{% macro month_spine(relation, column) -%}
    select generate_series(
        (select min({{ column }}) from {{ relation }}),
        (select max({{ column }}) from {{ relation }}),
        interval '1 month'
    )::date as month
{%- endmacro %}
