{% call staging_model('x', 'x__account_analytics', {'username': 'text', 'date': 'date'}) -%}
        -- ids
        username,

        -- counts (one day of the export)
        (record ->> 'profile_visits')::bigint as profile_visits,
        (record ->> 'impressions')::bigint as impressions,
        (record ->> 'engagements')::bigint as engagements,
        (record ->> 'new_follows')::bigint as new_follows,
        (record ->> 'unfollows')::bigint as unfollows,
        (record ->> 'create_post')::bigint as posts_created,

        -- dates: the account's local day as exported
        "date" as activity_date,

        -- lineage
        record ->> 'source_file' as source_file,
        _batch_id,
        _loaded_at
{%- endcall %}
