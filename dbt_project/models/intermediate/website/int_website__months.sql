{#- The website marts' months: from the first month either source has data to the
    last. A month before the first publication has no publication figure (null,
    not 0): the CMS's data had not begun. -#}
with

visitors as (

    select * from {{ ref('int_website__monthly_visitors') }}

),

publications as (

    select * from {{ ref('int_website__publications') }}
    where is_publication

),

bounds as (

    select
        least(
            (select min(month) from visitors),
            (select min(published_month) from publications)
        ) as first_month,
        greatest(
            (select max(month) from visitors),
            (select max(published_month) from publications)
        ) as last_month,
        (select min(published_month) from publications) as first_publication_month

),

final as (

    select
        months.month::date as month,
        bounds.first_publication_month is not null
        and months.month >= bounds.first_publication_month as has_publication_data
    from bounds
    cross join lateral generate_series(bounds.first_month, bounds.last_month, interval '1 month') as months (month)

)

select * from final
