with

source as (

    select * from {{ raw_source('deskpro', 'deskpro__organizations', {'id': 'bigint'}) }}

),

renamed as (

    select
        id as organization_id,
        record ->> 'name' as organization_name,
        {{ deskpro_ts("record ->> 'date_created'") }} as created_at,
        _loaded_at

    from source

)

select * from renamed
