{#- Incremental models (docs/architecture.md, "Incremental models"). An incremental run
    re-reads what was loaded (raw `_loaded_at`) since the model's own latest load time
    minus var('incremental_lookback_days'), and recomputes every row of each unit (a
    message key, a wamid) touched by it, so delete+insert by that unit is exact (a user of
    the WhatsApp conversations: every row from a start in time on, suffix_replace below). A
    rotated pseudonym key (private.pseudonym_key.key_id differs from the
    `_pseudonym_key_id` the model was built with) makes the window everything, so no
    old pseudonym survives a rotation. -#}
{% macro incremental_window(column='_loaded_at', references=none) -%}
    {#- Whether everything is to be rebuilt (a rotated key, a changed reference) and where the
        window starts are asked of the warehouse when the model runs, and the window is then either
        `true` or a range on `column` from a constant, which an index on it serves (an `or` of the
        range with that test in SQL made every window a full scan of its table; a start computed
        by a sub-select left the planner guessing a third of the table and scanning all of it). At
        parse time, or when the model is not incremental (the window is then unused), it stays in SQL. -#}
    {%- if execute and is_incremental() -%}
        {%- set window = incremental_window_start(references) -%}
        {%- if window[0] -%}
            true
        {%- else -%}
            ({{ column }} >= '{{ window[1] }}'::timestamptz)
        {%- endif -%}
    {%- else -%}
    (
        {{ column }} >= (
            select coalesce(max(_loaded_at), '-infinity'::timestamptz) from {{ this }}
        ) - interval '{{ var("incremental_lookback_days", 3) | int }} days'
        or {{ incremental_rebuild_condition(references) }}
    )
    {%- endif -%}
{%- endmacro %}


{#- True when the model's rows were made with another pseudonym key or other references than
    now: its window is then everything. -#}
{% macro incremental_rebuild_condition(references=none) -%}
    (select max(_pseudonym_key_id) from {{ this }})
    is distinct from {{ pseudonym_key_id() }}
    {%- if references is not none %}
        or (select max(_reference_fingerprint) from {{ this }})
        is distinct from {{ reference_fingerprint(references) }}
    {%- endif %}
{%- endmacro %}


{#- [whether everything is to be rebuilt, the window's start as text (the model's latest load
    time less the lookback)], asked of the warehouse in one query. -#}
{% macro incremental_window_start(references=none) -%}
    {%- set result = run_query(
        'select coalesce(' ~ incremental_rebuild_condition(references) ~ ', true), ('
        ~ "(select coalesce(max(_loaded_at), '-infinity'::timestamptz) from " ~ this ~ ')'
        ~ " - interval '" ~ (var('incremental_lookback_days', 3) | int) ~ " days')::text"
    ) -%}
    {%- do return([result.columns[0].values()[0], result.columns[1].values()[0]]) -%}
{%- endmacro %}


{#- A model whose rows also depend on reference seeds (or vars) stores this fingerprint of
    them as `_reference_fingerprint` and passes the same `references` to incremental_window():
    a changed seed (say a region alias added from the review.unmatched_regions work list)
    makes the window everything, as a full rebuild did. `references`: a list of relations
    (read whole: small seeds only), {'relation': r, 'columns': [...]} (only those columns of a
    small relation: the model reads no other) and strings (settings, e.g. var values). -#}
{% macro reference_fingerprint(references) -%}
    md5(concat_ws('|'
        {%- for r in references %},
        {%- if r is string %} '{{ r | replace("'", "''") }}'
        {%- elif r is mapping and r.get('columns') %} (select md5(coalesce(string_agg(md5(x::text), '' order by md5(x::text)), ''))
            from (select {{ r['columns'] | join(', ') }} from {{ r['relation'] }}) as x)
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
    {%- elif execute -%}
        {#- the start asked first, so the test's query compares with a constant: the planner then
            estimates it from statistics (and pushes it into a view) instead of guessing -#}
        {%- set start = run_query(
            'select (max(' ~ column ~ ") - interval '" ~ (var("test_scope_days", 62) | int) ~ " days')::text from "
            ~ relation
        ).columns[0].values()[0] -%}
        {%- if start is none -%}
            true
        {%- else -%}
            {{ column }} >= '{{ start }}'
        {%- endif -%}
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


{#- incremental_strategy='suffix_replace': the model's new rows replace, for each unit
    (`unique_key`, e.g. a user) among them, the unit's rows from the unit's earliest new
    `meta.suffix_from` (a time column, e.g. started_at) on: its rows before that stay, every
    later one is deleted (even one whose id the new rows no longer hold, e.g. a conversation
    merged into another), then the new rows are inserted. Exact when the model's select gives,
    for each unit it touches, every row of the unit from some start on (its "suffix"), and
    nothing before that start changed. The delete is derived from the new rows themselves (after
    the select, in the model's transaction), so it needs no second computation of the window.
    `meta.suffix_where` (a condition on the new rows): only the rows meeting it replace a suffix;
    the others are inserted alone (the model deletes their old versions itself, e.g. in a pre-hook). -#}
{% macro get_incremental_suffix_replace_sql(arg_dict) -%}
    {%- set suffix_from = config.meta_get('suffix_from') -%}
    {%- if not suffix_from -%}
        {{ exceptions.raise_compiler_error("incremental_strategy 'suffix_replace' needs meta.suffix_from (a column)") }}
    {%- endif -%}
    {%- set keys = [arg_dict['unique_key']] if arg_dict['unique_key'] is string else arg_dict['unique_key'] -%}
    {%- if not keys -%}
        {{ exceptions.raise_compiler_error("incremental_strategy 'suffix_replace' needs a unique_key (the unit)") }}
    {%- endif -%}
    {%- set dest_cols_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set suffix_where = config.meta_get('suffix_where') %}
    delete from {{ arg_dict['target_relation'] }} as dest
    using (
        select {{ keys | join(', ') }}, min({{ suffix_from }}) as suffix_from
        from {{ arg_dict['temp_relation'] }}
        {%- if suffix_where %}
        where {{ suffix_where }}
        {%- endif %}
        group by {{ keys | join(', ') }}
    ) as recomputed
    where
        {%- for key in keys %}
        dest.{{ key }} = recomputed.{{ key }} and
        {%- endfor %}
        dest.{{ suffix_from }} >= recomputed.suffix_from;

    insert into {{ arg_dict['target_relation'] }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ arg_dict['temp_relation'] }}
    )
{%- endmacro %}


{#- The status events of every outbound message with an event loaded in incremental_window()
    (all its events, of every load), each with its recipient, the message's earliest event time
    (`changed_at`) and `is_conversational`, false when every event of the message is a blast's
    (a blast never reaches a conversation). A message's sent_at (its "sent" event, else its
    first event) was and is at or after `changed_at`, whatever the new events changed, so a
    model recomputing a user's conversations from the one holding `changed_at` reaches both the
    conversation that held the message and the one that holds it now. -#}
{% macro whatsapp_outbound_changes(references) -%}
    select
        events.recipient_key as user_key,
        min(events.status_at) over (partition by events.wamid) as changed_at,
        bool_or(events.sender_kind is distinct from 'blast') over (partition by events.wamid) as is_conversational
    from {{ ref('stg_whatsapp__statuses') }} as events
    where events.wamid in (
        select changed.wamid
        from {{ ref('int_whatsapp__outbound_messages') }} as changed
        where {{ incremental_window('changed._loaded_at', references) }}
    )
{%- endmacro %}


{#- What int_phone__calls depends on besides the CDR: reference_fingerprint(). -#}
{% macro phone_call_references() -%}
    {%- do return([
        ref('avaya_vdns'),
        ref('avaya_area_codes'),
        ref('avaya_account_codes'),
        ref('avaya_caller_types'),
        ref('ref_regions'),
        {'relation': ref('int_phone__agents'), 'columns': ['agent_logid', 'agent_name']},
        'avaya_switch_timezone=' ~ var('avaya_switch_timezone', 'Asia/Jakarta'),
    ]) -%}
{%- endmacro %}


{#- int_phone__calls' pre-hook: the calls of the CDR files whose version changed in the window
    are deleted (the model recomputes every call of those files, and a call a corrected file
    dropped must not stay). Rendered before the model's rows change, so its window is the
    model's. -#}
{% macro delete_calls_of_changed_files() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where source_file in (
            select files.file_name
            from {{ avaya_raw('avaya__files') }} as files
            where {{ incremental_window('files._loaded_at', phone_call_references()) }}
        )
    {%- endif -%}
{%- endmacro %}
