{% call staging_model('cms', 'cms__categories', {'id': 'bigint'}) -%}
        -- ids
        id as category_id,
        nullif((record ->> 'parent')::bigint, 0) as parent_category_id,

        -- attributes
        record ->> 'slug' as category_slug,
        {{ cms_decode_html("record ->> 'name'") }} as category_name,
        (record ->> 'count')::integer as published_post_count,

        -- lineage
        _loaded_at
{%- endcall %}
