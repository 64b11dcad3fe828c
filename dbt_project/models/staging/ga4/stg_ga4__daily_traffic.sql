{% call staging_model('ga4', 'ga4__daily_traffic', {'property_id': 'text', 'date': 'date'}) -%}
        -- grain
        property_id,
        date as traffic_date,

        -- counts (users of that day only: not additive over days)
        (record -> 'metrics' ->> 'activeUsers')::bigint as active_users,
        (record -> 'metrics' ->> 'totalUsers')::bigint as total_users,
        (record -> 'metrics' ->> 'sessions')::bigint as sessions,
        (record -> 'metrics' ->> 'screenPageViews')::bigint as page_views,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
