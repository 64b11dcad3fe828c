{% call staging_model('meta', 'meta__ig_media', {'id': 'text', 'timestamp': 'timestamptz'}) -%}
        -- ids
        id as media_id,

        -- attributes
        record ->> 'media_product_type' as media_product_type,
        record ->> 'media_type' as media_type,
        record ->> 'caption' as caption,
        record ->> 'permalink' as permalink,

        -- counts (like_count is absent when the account hides likes)
        (record ->> 'like_count')::bigint as like_count,
        (record ->> 'comments_count')::bigint as comments_count,

        -- timestamps (UTC)
        "timestamp" as published_at,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
