{% call staging_model('meta', 'meta__ig_stories', {'id': 'text', 'timestamp': 'timestamptz'}) -%}
        -- ids
        id as story_id,

        -- attributes
        record ->> 'media_product_type' as media_product_type,
        record ->> 'media_type' as media_type,
        record ->> 'permalink' as permalink,

        -- timestamps (UTC)
        "timestamp" as published_at,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
