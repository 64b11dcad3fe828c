{#- Parts add up to their total: per `group_by`, sum(`column_name`) in this model
    equals `total_column` in `to` (rows where the total is null, i.e. before the
    data begins, are skipped; a total of 0 needs no parts). Parts without a total
    fail too. `column_name` may be an expression: "1" counts rows. -#}
{% test cms_sum_matches_total(model, column_name, group_by, to, total_column) %}
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
