{% call staging_model('ga4', 'ga4__monthly_users', {'property_id': 'text', 'month': 'date'}) -%}
        -- grain
        property_id,
        month,

        -- counts (unique users over the whole month: never a sum of days)
        (record -> 'metrics' ->> 'activeUsers')::bigint as active_users,
        (record -> 'metrics' ->> 'totalUsers')::bigint as total_users,

        -- the report's date range and time zone
        (record ->> 'start_date')::date as start_date,
        (record ->> 'end_date')::date as end_date,
        record ->> 'time_zone' as time_zone,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
