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

{#- The report's comparisons of a monthly relation, written once (DECISIONLOG.md,
    "Change"): a `select` of every column of `relation` plus, for each of `measures`,
    <m>_prev_month, <m>_same_month_last_year, <m>_mom_change and <m>_yoy_change, and
    for each of `ytd` (default: the measures) <m>_ytd, the calendar year to date.
    Earlier months are joined by date (the month before, the month a year before),
    never by position, so a gap in the spine is a missing value (null), not a shift.
    `partition_by`: the columns besides the month that identify a row. -#}
{% macro monthly_comparisons(relation, measures, partition_by=[], ytd=none, ytd_cast=none, month='month') -%}
    {%- set ytd = measures if ytd is none else ytd -%}
    select
        cur.*
    {%- for m in measures %},
        prev.{{ m }} as {{ m }}_prev_month,
        last_year.{{ m }} as {{ m }}_same_month_last_year,
        {{ change_ratio('cur.' ~ m, 'prev.' ~ m) }} as {{ m }}_mom_change,
        {{ change_ratio('cur.' ~ m, 'last_year.' ~ m) }} as {{ m }}_yoy_change
    {%- endfor %}
    {%- for m in ytd %},
        (sum(cur.{{ m }}) over (
            partition by {% for p in partition_by %}cur.{{ p }}, {% endfor %}date_trunc('year', cur.{{ month }})
            order by cur.{{ month }}
        )){% if ytd_cast %}::{{ ytd_cast }}{% endif %} as {{ m }}_ytd
    {%- endfor %}
    from {{ relation }} as cur
    {%- if measures %}
        {%- for alias, step in [('prev', '1 month'), ('last_year', '1 year')] %}
    left join {{ relation }} as {{ alias }}
        on {% for p in partition_by %}{{ alias }}.{{ p }} = cur.{{ p }}
        and {% endfor %}{{ alias }}.{{ month }} = (cur.{{ month }} - interval '{{ step }}')::date
        {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#- Measures of `relation` per month, zero-filled (DECISIONLOG.md: a quiet month is a
    row, 0, not a gap): one row per month of the spine (`months`, default the
    month_spine of `relation`) and, with `across` (a CTE of the members every month
    shows, e.g. the channels), per member, with all of the member's columns; each
    measure ({name: aggregate over `relation`}) is coalesced to 0. `keys` maps the
    member's key columns to their expression in `relation` (default the same name). -#}
{% macro monthly_counts(relation, month_column, measures, across=none, keys={}, months=none) -%}
    select
        months.month,
    {%- if across %}
        {{ across }}.*,
    {%- endif %}
    {%- for name in measures %}
        coalesce(counts.{{ name }}, 0) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {% if months %}{{ months }}{% else %}({{ month_spine(relation, month_column) }}){% endif %} as months
    {%- if across %}
    cross join {{ across }}
    {%- endif %}
    left join (
        select
            {{ month_column }} as month,
    {%- for key, expr in keys.items() %}
        {{ expr }} as {{ key }},
    {%- endfor %}
    {%- for name, aggregate in measures.items() %}
        {{ aggregate }} as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
        from {{ relation }}
        group by {% for _ in range(keys | length + 1) %}{{ loop.index }}{{ ', ' if not loop.last }}{% endfor %}
    ) as counts
        on months.month = counts.month
    {%- for key in keys %}
        and {{ across }}.{{ key }} = counts.{{ key }}
    {%- endfor %}
{%- endmacro %}

{#- Values as a list of SQL literals for `in (...)`: strings quoted, numbers as they are. -#}
{% macro sql_list(values) -%}
    {%- for v in values -%}
        {%- if v is string %}'{{ v }}'{% else %}{{ v }}{% endif %}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
