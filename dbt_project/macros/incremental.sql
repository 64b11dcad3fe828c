{#- Incremental models (docs/architecture.md, "Incremental models"). An incremental run
    re-reads what was loaded (raw `_loaded_at`) since the model's own latest load time
    minus var('incremental_lookback_days'), and recomputes every row of each unit (a
    message key, a wamid) touched by it, so delete+insert by that unit is exact. A
    rotated pseudonym key (private.pseudonym_key.key_id differs from the
    `_pseudonym_key_id` the model was built with) makes the window everything, so no
    old pseudonym survives a rotation. -#}
{% macro incremental_window(column='_loaded_at', references=none) -%}
    (
        {{ column }} >= (
            select coalesce(max(_loaded_at), '-infinity'::timestamptz) from {{ this }}
        ) - interval '{{ var("incremental_lookback_days", 3) | int }} days'
        or (select max(_pseudonym_key_id) from {{ this }})
        is distinct from {{ pseudonym_key_id() }}
        {%- if references is not none %}
            or (select max(_reference_fingerprint) from {{ this }})
            is distinct from {{ reference_fingerprint(references) }}
        {%- endif %}
    )
{%- endmacro %}


{#- A model whose rows also depend on reference seeds (or vars) stores this fingerprint of
    them as `_reference_fingerprint` and passes the same `references` to incremental_window():
    a changed seed (say a region alias added from the review.unmatched_regions work list)
    makes the window everything, as a full rebuild did. `references`: a list of relations
    (read whole: small seeds only) and strings (settings, e.g. var values). -#}
{% macro reference_fingerprint(references) -%}
    md5(concat_ws('|'
        {%- for r in references %},
        {%- if r is string %} '{{ r | replace("'", "''") }}'
        {%- else %} (select md5(coalesce(string_agg(md5(x::text), '' order by md5(x::text)), '')) from {{ r }} as x)
        {%- endif %}
        {%- endfor %}
    ))
{%- endmacro %}


{#- The pre-hook of an incremental model whose unit is a pseudonym (user_key): after a
    rotation of the pseudonym key, delete+insert by the new pseudonyms would leave the rows
    under the old ones, so they are deleted first (the window is then everything). -#}
{% macro delete_rows_of_another_pseudonym_key() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where _pseudonym_key_id is distinct from {{ pseudonym_key_id() }}
    {%- endif -%}
{%- endmacro %}


{#- The id of the pseudonym key in use (a keyed fingerprint, not the key). -#}
{% macro pseudonym_key_id() -%}
    (select key_id from {{ var('pseudonym_key_relation', 'private.pseudonym_key') }})
{%- endmacro %}


{#- The `where` of a heavy data test, written in its yml as `where: "__recent_rows__(col)"`
    (dbt renders no project macro in a generic test's config, so get_where_subquery below
    expands it when the test runs): the rows of the var('test_scope_days') days up to the
    latest `col` (a timestamp or date) of the tested relation, or every row when
    var('full_test_scope') is true (the weekly full-scope build). The window is anchored
    on the data, not on today, so a warehouse of old months is still tested. -#}
{% macro recent_rows(column, relation) -%}
    {%- if var('full_test_scope', false) | string | lower in ('true', '1', 'yes') -%}
        true
    {%- else -%}
        {{ column }} >= (select max({{ column }}) from {{ relation }})
        - interval '{{ var("test_scope_days", 62) | int }} days'
    {%- endif -%}
{%- endmacro %}


{#- dbt's own, plus `__recent_rows__(col)` in a `where` expanded by recent_rows(). -#}
{% macro postgres__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set match = modules.re.search('__recent_rows__\\((\\w+)\\)', where) -%}
        {%- if match -%}
            {%- set where = where | replace(match.group(0), recent_rows(match.group(1), relation)) -%}
        {%- endif -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{#- What the WhatsApp conversations (int_whatsapp__conversation_messages and every model
    recomputed by user from them) depend on besides the messages: reference_fingerprint(). -#}
{% macro whatsapp_conversation_references() -%}
    {%- do return([
        ref('whatsapp_menu_options'),
        'gap_hours=' ~ var('whatsapp_conversation_gap_hours', 24),
        'report_timezone=' ~ var('report_timezone', 'Asia/Jakarta'),
    ]) -%}
{%- endmacro %}
