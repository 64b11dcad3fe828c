{#- One row per published post, with its report category and its month in the
    report's time zone. A post filed under several report categories counts once,
    under the one with the lowest priority in seed cms_category_map; a post in no
    report category is not a publication of the report. -#}
with

posts as (

    select * from {{ ref('stg_cms__posts') }}

),

post_categories as (

    select * from {{ ref('int_website__post_categories') }}

),

chosen as (

    select distinct on (post_id)
        post_id,
        report_category
    from post_categories
    where report_category is not null
    order by post_id, report_category_priority, category_slug

),

final as (

    select
        -- ids
        posts.post_id,

        -- attributes
        posts.title,
        chosen.report_category,
        posts.link,
        posts.slug,

        -- booleans
        chosen.report_category is not null as is_publication,

        -- timestamps (UTC) and the report's calendar
        posts.published_at,
        {{ to_report_time('posts.published_at') }} as published_at_local,
        ({{ to_report_time('posts.published_at') }})::date as published_date,
        date_trunc('month', {{ to_report_time('posts.published_at') }})::date as published_month

    from posts
    left join chosen
        on posts.post_id = chosen.post_id

)

select * from final
