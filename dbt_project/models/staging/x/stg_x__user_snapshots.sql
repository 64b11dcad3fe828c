{% call staging_model('x', 'x__user_snapshots', {'user_id': 'text', 'snapshot_date': 'date'}) -%}
        -- ids
        user_id,
        record ->> 'username' as username,

        -- counts (current values at capture time)
        (record -> 'public_metrics' ->> 'followers_count')::bigint as followers_count,
        (record -> 'public_metrics' ->> 'following_count')::bigint as following_count,
        (record -> 'public_metrics' ->> 'tweet_count')::bigint as tweet_count,
        (record -> 'public_metrics' ->> 'listed_count')::bigint as listed_count,

        -- dates
        snapshot_date,
        (record ->> 'captured_at')::timestamptz as captured_at,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
