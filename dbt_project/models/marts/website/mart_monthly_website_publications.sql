{#- The register of website publications: one row per post in a report
    category, with the date (report's time zone), category and title the report
    lists under "Rincian Publikasi Website". -#}
with

publications as (

    select * from {{ ref('int_website__publications') }}
    where is_publication

),

report_categories as (

    select * from {{ ref('cms_report_categories') }}

),

final as (

    select
        -- grain
        publications.post_id,

        -- the register
        publications.published_month as month,
        publications.published_date,
        publications.report_category,
        publications.title,
        publications.link,

        -- ordering as printed: by category, then date
        report_categories.sort_order as category_sort_order,

        -- timestamps
        publications.published_at

    from publications
    inner join report_categories
        on publications.report_category = report_categories.report_category

)

select * from final
