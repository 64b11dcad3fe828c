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

monthly as (

    {{ monthly_counts('publications', 'published_month', {'publications': 'count(*)'}, months='months',
                      across='report_categories', keys={'report_category': 'report_category'}) }}

),

compared as (

    {{ monthly_comparisons('monthly', ['publications'], partition_by=['report_category']) }}

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
        {{ share_ratio('publications', 'sum(publications) over (partition by month)') }} as share_of_month,
        publications_mom_change as mom_change,
        publications_yoy_change as yoy_change

    from compared

)

select * from final
