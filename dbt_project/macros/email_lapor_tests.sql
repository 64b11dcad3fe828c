{#- Generic test: per `group_by` value, the parts in `model.column_name` add up to
    `total_column` of `total_model` (e.g. report types to the month's total).
    Fails on every group where they differ, or where one side has no row. -#}
{% test email_lapor_parts_sum_to_total(model, column_name, total_model, total_column, group_by) %}
with

parts as (

    select {{ group_by }} as group_value, sum({{ column_name }}) as parts_sum
    from {{ model }}
    group by 1

),

totals as (

    select {{ group_by }} as group_value, {{ total_column }} as total
    from {{ total_model }}

)

select
    coalesce(parts.group_value, totals.group_value) as group_value,
    parts.parts_sum,
    totals.total
from parts
full outer join totals
    on parts.group_value = totals.group_value
where parts.parts_sum is distinct from totals.total
{% endtest %}
