with

post_categories as (

    select * from {{ ref('stg_cms__post_categories') }}

),

categories as (

    select * from {{ ref('stg_cms__categories') }}

),

category_map as (

    select * from {{ ref('cms_category_map') }}

),

final as (

    select
        -- grain
        post_categories.post_id,
        post_categories.category_id,

        -- attributes
        categories.category_slug,
        categories.category_name,
        category_map.report_category,
        category_map.priority as report_category_priority

    from post_categories
    left join categories
        on post_categories.category_id = categories.category_id
    left join category_map
        on categories.category_slug = category_map.category_slug

)

select * from final
