{% call staging_model('meta', 'meta__fb_page_snapshots', {'page_id': 'text', 'snapshot_date': 'date'}) -%}
        -- ids
        page_id,
        record ->> 'name' as page_name,

        -- counts (current values at capture time)
        (record ->> 'followers_count')::bigint as followers_count,
        (record ->> 'fan_count')::bigint as fan_count,

        -- dates
        snapshot_date,
        (record ->> 'captured_at')::timestamptz as captured_at,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
