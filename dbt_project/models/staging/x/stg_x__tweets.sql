{% call staging_model('x', 'x__tweets', {'id': 'text', 'created_at': 'timestamptz'}) -%}
        -- ids
        id as tweet_id,
        record ->> 'conversation_id' as conversation_id,

        -- attributes: what kind of post (referenced_tweets types)
        case
            when record -> 'referenced_tweets' @> '[{"type": "retweeted"}]'::jsonb then 'repost'
            when record -> 'referenced_tweets' @> '[{"type": "replied_to"}]'::jsonb then 'reply'
            when record -> 'referenced_tweets' @> '[{"type": "quoted"}]'::jsonb then 'quote'
            else 'original'
        end as post_type,
        record ->> 'text' as text,
        record ->> 'lang' as lang,

        -- counts
        (record -> 'public_metrics' ->> 'like_count')::bigint as like_count,
        (record -> 'public_metrics' ->> 'retweet_count')::bigint as repost_count,
        (record -> 'public_metrics' ->> 'reply_count')::bigint as reply_count,
        (record -> 'public_metrics' ->> 'quote_count')::bigint as quote_count,
        (record -> 'public_metrics' ->> 'impression_count')::bigint as impression_count,

        -- timestamps (UTC)
        created_at as published_at,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
