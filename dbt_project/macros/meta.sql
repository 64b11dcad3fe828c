{#- Lifetime insights of one Facebook post or Instagram media item, one row per metric
    (`id_column`: post_id or media_id): the numeric value, or null for a breakdown
    metric, which comes as an object and is kept in value_json only. -#}
{% macro meta_item_insights_staging(table, id_column) -%}
    {%- call staging_model('meta', table, {id_column: 'text', 'metric': 'text'}) %}
        -- ids
        {{ id_column }},
        metric,

        -- attributes
        record ->> 'period' as period,

        -- values
        case when jsonb_typeof(record -> 'value') = 'number' then (record ->> 'value')::numeric end as value,
        record -> 'value' as value_json,

        -- lineage
        _batch_id,
        _loaded_at
    {%- endcall %}
{%- endmacro %}

{#- Daily insights of a Facebook page or an Instagram account, one row per metric,
    day and `dimensions` (text key columns besides the id, e.g. metric, period): the
    numeric value (null for a breakdown metric, kept in value_json), Meta's reporting
    day (metric_date; Facebook: end_time is the next midnight UTC-07:00; Instagram: the
    time_series day, or the UTC day asked for with total_value) and end_time. -#}
{% macro meta_account_insights_staging(table, id_column, dimensions) -%}
    {%- set key_columns = {id_column: 'text'} -%}
    {%- for d in dimensions %}{% do key_columns.update({d: 'text'}) %}{% endfor -%}
    {%- do key_columns.update({'end_time': 'timestamptz'}) -%}
    {%- call staging_model('meta', table, key_columns) %}
        -- ids
        {{ id_column }},
        {%- for d in dimensions %}
            {{ d }},
        {%- endfor %}

        -- values
        case when jsonb_typeof(record -> 'value') = 'number' then (record ->> 'value')::numeric end as value,
        record -> 'value' as value_json,

        -- dates
        (record ->> 'metric_date')::date as metric_date,
        end_time,

        -- lineage
        _batch_id,
        _loaded_at
    {%- endcall %}
{%- endmacro %}
