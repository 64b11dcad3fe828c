{#- Incremental models (docs/architecture.md, "Incremental models"). An incremental run
    re-reads what was loaded (raw `_loaded_at`) since the model's own latest load time
    minus var('incremental_lookback_days'), and recomputes every row of each unit (a
    message key, a wamid) touched by it, so delete+insert by that unit is exact. A
    rotated pseudonym key (private.pseudonym_key.key_id differs from the
    `_pseudonym_key_id` the model was built with) makes the window everything, so no
    old pseudonym survives a rotation. -#}
{% macro incremental_window(column='_loaded_at') -%}
    (
        {{ column }} >= (
            select coalesce(max(_loaded_at), '-infinity'::timestamptz) from {{ this }}
        ) - interval '{{ var("incremental_lookback_days", 3) | int }} days'
        or (select max(_pseudonym_key_id) from {{ this }})
        is distinct from {{ pseudonym_key_id() }}
    )
{%- endmacro %}


{#- The id of the pseudonym key in use (a keyed fingerprint, not the key). -#}
{% macro pseudonym_key_id() -%}
    (select key_id from {{ var('pseudonym_key_relation', 'private.pseudonym_key') }})
{%- endmacro %}


{#- The `where` of a heavy data test (its `config: where:`): the rows of the
    var('test_scope_days') days up to the latest `column` (a timestamp or date) of the
    tested relation, or every row when var('full_test_scope') is true (the weekly
    full-scope build). The window is anchored on the data, not on today, so a
    warehouse of old months is still tested. `__tested_relation__` is replaced by
    get_where_subquery below. -#}
{% macro recent_rows(column) -%}
    {%- if var('full_test_scope', false) | string | lower in ('true', '1', 'yes') -%}
        true
    {%- else -%}
        {{ column }} >= (select max({{ column }}) from __tested_relation__)
        - interval '{{ var("test_scope_days", 62) | int }} days'
    {%- endif -%}
{%- endmacro %}


{#- dbt's own, plus the tested relation for recent_rows(). -#}
{% macro postgres__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where | replace('__tested_relation__', relation | string) ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
