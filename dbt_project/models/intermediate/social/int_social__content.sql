{#- Every item the three accounts published, one row each, with what it counts as.
    posts:   Instagram feed media (FEED and REELS: the profile grid), Facebook Page
             posts, X originals and quotes;
    content: posts plus Instagram stories (the report's "konten");
    neither: Instagram ads (AD), X replies and reposts.
    Reach is the item's lifetime unique reach: Instagram media insights `reach`,
    Facebook `post_total_media_view_unique` (what replaced post_impressions_unique). -#}
with

ig_media as (

    select * from {{ ref('stg_meta__ig_media') }}

),

ig_stories as (

    select * from {{ ref('stg_meta__ig_stories') }}

),

ig_media_insights as (

    select * from {{ ref('stg_meta__ig_media_insights') }}

),

fb_posts as (

    select * from {{ ref('stg_meta__fb_posts') }}

),

fb_post_insights as (

    select * from {{ ref('stg_meta__fb_post_insights') }}

),

tweets as (

    select * from {{ ref('stg_x__tweets') }}

),

instagram_media as (

    select
        'instagram' as platform,
        ig_media.media_id as content_id,
        case ig_media.media_product_type
            when 'FEED' then 'feed'
            when 'REELS' then 'reels'
            else lower(ig_media.media_product_type)
        end as content_type,
        ig_media.media_product_type in ('FEED', 'REELS') as is_post,
        ig_media.media_product_type in ('FEED', 'REELS') as is_content,
        ig_media.published_at,
        reach.value as reach
    from ig_media
    left join ig_media_insights as reach
        on
            ig_media.media_id = reach.media_id
            and reach.metric = 'reach'

),

instagram_stories as (

    select
        'instagram' as platform,
        story_id as content_id,
        'story' as content_type,
        false as is_post,
        true as is_content,
        published_at,
        null::numeric as reach
    from ig_stories

),

facebook_posts as (

    select
        'facebook' as platform,
        fb_posts.post_id as content_id,
        'post' as content_type,
        true as is_post,
        true as is_content,
        fb_posts.published_at,
        reach.value as reach
    from fb_posts
    left join fb_post_insights as reach
        on
            fb_posts.post_id = reach.post_id
            and reach.metric = 'post_total_media_view_unique'

),

twitter_posts as (

    select
        'twitter' as platform,
        tweet_id as content_id,
        post_type as content_type,
        post_type in ('original', 'quote') as is_post,
        post_type in ('original', 'quote') as is_content,
        published_at,
        null::numeric as reach
    from tweets

),

unioned as (

    select * from instagram_media
    union all
    select * from instagram_stories
    union all
    select * from facebook_posts
    union all
    select * from twitter_posts

),

final as (

    select
        -- grain
        platform,
        content_id,

        -- attributes
        content_type,
        is_post,
        is_content,

        -- measures
        reach,

        -- timestamps: UTC, then wall-clock and month in the report's time zone
        published_at,
        {{ to_report_time('published_at') }} as published_at_local,
        date_trunc('month', {{ to_report_time('published_at') }})::date as published_month

    from unioned

)

select * from final
