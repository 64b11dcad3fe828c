with

source as (

    select * from {{ source('deskpro', 'deskpro__organizations') }}

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
