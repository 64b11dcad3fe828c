{#- The website's pages per month ranked by page views, by page title (a title's
    paths added up). GA4's "(other)" and "(not set)" rows are not pages and are
    left out, so they can never take a place in the ranking. -#}
with

page_views as (

    select * from {{ ref('int_website__page_views') }}
    where not is_placeholder

),

final as (

    select
        -- grain
        month,
        page_title,

        -- counts
        page_views,
        page_paths,

        -- rank within the month: most viewed first; ties by title
        row_number() over (partition by month order by page_views desc, page_title asc) as view_rank

    from page_views

)

select * from final
