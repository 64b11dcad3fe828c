{% call staging_model('meta', 'meta__fb_posts', {'id': 'text', 'created_time': 'timestamptz'}) -%}
        -- ids
        id as post_id,

        -- attributes
        record ->> 'status_type' as status_type,
        record ->> 'message' as message,
        record ->> 'permalink_url' as permalink_url,

        -- timestamps (UTC)
        created_time as published_at,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
