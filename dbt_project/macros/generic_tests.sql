{#- Generic tests we would otherwise take from dbt_utils (unreachable offline). -#}

{% test unique_combination_of_columns(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}

{% test expression_is_true(model, expression, column_name=none) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}

{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
select * from {{ model }}
where {{ column_name }} is not null
  and (
    {% if min_value is not none %}{{ column_name }} < {{ min_value }}{% else %}false{% endif %}
    or {% if max_value is not none %}{{ column_name }} > {{ max_value }}{% else %}false{% endif %}
  )
{% endtest %}

{#- Parts add up to their total (e.g. website categories to the month's publications,
    Email Lapor report types to the month's reports): per `group_by`, sum(`column_name`)
    in this model equals `total_column` in `to` (rows where the total is null, i.e. before the
    data begins, are skipped; a total of 0 needs no parts). Parts without a total
    fail too. `column_name` may be an expression: "1" counts rows. -#}
{% test parts_sum_to_total(model, column_name, group_by, to, total_column) %}
with

parts as (

    select {{ group_by }} as grp, sum({{ column_name }}) as summed
    from {{ model }}
    group by 1

),

totals as (

    select {{ group_by }} as grp, {{ total_column }} as total
    from {{ to }}
    where {{ total_column }} is not null

)

select coalesce(parts.grp, totals.grp) as grp, parts.summed, totals.total
from parts
full outer join totals
    on parts.grp = totals.grp
where coalesce(parts.summed, 0) is distinct from totals.total

{% endtest %}
