{% call staging_model('meta', 'meta__ig_account_snapshots', {'account_id': 'text', 'snapshot_date': 'date'}) -%}
        -- ids
        account_id,
        record ->> 'username' as username,

        -- counts (current values at capture time)
        (record ->> 'followers_count')::bigint as followers_count,
        (record ->> 'follows_count')::bigint as follows_count,
        (record ->> 'media_count')::bigint as media_count,

        -- dates
        snapshot_date,
        (record ->> 'captured_at')::timestamptz as captured_at,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
