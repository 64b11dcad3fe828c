{#- Publications per month and report category (the "Rincian Publikasi Website"
    headings), on a month x category spine: a category without posts in a month
    counts 0. -#}
with

months as (

    select * from {{ ref('int_website__months') }}
    where has_publication_data

),

report_categories as (

    select * from {{ ref('cms_report_categories') }}

),

publications as (

    select * from {{ ref('int_website__publications') }}
    where is_publication

),

counts as (

    select published_month as month, report_category, count(*) as publications
    from publications
    group by 1, 2

),

monthly as (

    select
        months.month,
        report_categories.report_category,
        report_categories.sort_order,
        coalesce(counts.publications, 0) as publications
    from months
    cross join report_categories
    left join counts
        on months.month = counts.month
        and report_categories.report_category = counts.report_category

),

compared as (

    select
        cur.*,
        prev.publications as publications_prev_month,
        last_year.publications as publications_same_month_last_year,
        sum(cur.publications) over (
            partition by cur.report_category, date_trunc('year', cur.month)
            order by cur.month
        ) as publications_ytd,
        sum(cur.publications) over (partition by cur.month) as month_publications
    from monthly as cur
    left join monthly as prev
        on prev.report_category = cur.report_category
        and prev.month = (cur.month - interval '1 month')::date
    left join monthly as last_year
        on last_year.report_category = cur.report_category
        and last_year.month = (cur.month - interval '1 year')::date

),

final as (

    select
        -- grain
        month,
        report_category,
        sort_order,

        -- counts
        publications,
        publications_prev_month,
        publications_same_month_last_year,
        publications_ytd,

        -- ratios (rounded only when presented)
        {{ share_ratio('publications', 'month_publications') }} as share_of_month,
        {{ change_ratio('publications', 'publications_prev_month') }} as mom_change,
        {{ change_ratio('publications', 'publications_same_month_last_year') }} as yoy_change

    from compared

)

select * from final
