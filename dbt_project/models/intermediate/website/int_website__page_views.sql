{#- Page views per month and page TITLE: the report names pages by title ("Portal
    Data", "Halaman Utama"), and one title can live at several paths ("/" and
    "/index.php"), whose views add up. GA4's "(other)" and "(not set)" rows are
    not pages. -#}
with

top_pages as (

    select * from {{ ref('stg_ga4__top_pages') }}

),

final as (

    select
        -- grain
        month,
        page_title,

        -- counts
        sum(page_views) as page_views,
        count(*) as page_paths,

        -- flags
        bool_or(is_other_row or is_title_not_set) as is_placeholder

    from top_pages
    group by 1, 2

)

select * from final
