{% call staging_model('cms', 'cms__posts', {'id': 'bigint', 'modified_gmt': 'timestamptz'}) -%}
        -- ids
        id as post_id,
        record ->> 'slug' as slug,

        -- attributes
        {{ cms_decode_html("record -> 'title' ->> 'rendered'") }} as title,
        record -> 'title' ->> 'rendered' as title_rendered,
        record ->> 'link' as link,
        record ->> 'status' as status,
        jsonb_array_length(coalesce(record -> 'categories', '[]'::jsonb)) as category_count,

        -- timestamps (UTC)
        {{ cms_gmt("record ->> 'date_gmt'") }} as published_at,
        modified_gmt as modified_at,
        -- the site's own wall clock, as WordPress shows it (the site's time zone setting)
        nullif(record ->> 'date', '')::timestamp as published_at_site_time,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
