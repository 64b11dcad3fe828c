with

source as (

    select * from {{ raw_source('cms', 'cms__posts', {'id': 'bigint', 'modified_gmt': 'timestamptz'}) }}

),

unnested as (

    select
        -- ids
        source.id as post_id,
        category.value::bigint as category_id,

        -- attributes
        category.position as category_position,

        -- lineage
        source._loaded_at

    from source
    cross join
        lateral jsonb_array_elements_text(coalesce(source.record -> 'categories', '[]'::jsonb))
        with ordinality as category (value, position)

)

select * from unnested
