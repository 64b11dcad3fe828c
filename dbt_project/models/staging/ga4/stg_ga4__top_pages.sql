with

source as (

    select * from {{ raw_source('ga4', 'ga4__top_pages', {'property_id': 'text', 'month': 'date'}) }}

),

unnested as (

    select
        -- grain
        source.property_id,
        source.month,
        page.value ->> 'pageTitle' as page_title,
        page.value ->> 'pagePath' as page_path,

        -- counts
        (page.value ->> 'screenPageViews')::bigint as page_views,
        (page.value ->> 'activeUsers')::bigint as active_users,

        -- position in the report (most viewed first)
        page.position as report_position,

        -- GA4's placeholders: "(other)" folds the least viewed rows of a high-cardinality
        -- report together; "(not set)" is a hit without a title (a file, a redirect)
        page.value ->> 'pageTitle' = '(other)' as is_other_row,
        page.value ->> 'pageTitle' = '(not set)' as is_title_not_set,
        coalesce((source.record ->> 'data_loss_from_other_row')::boolean, false) as report_has_other_row,

        -- lineage
        source._batch_id,
        source._loaded_at

    from source
    cross join lateral jsonb_array_elements(source.record -> 'rows') with ordinality as page (value, position)

)

select * from unnested
