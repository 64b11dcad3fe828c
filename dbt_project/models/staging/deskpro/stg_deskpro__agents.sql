with

source as (

    select * from {{ source('deskpro', 'deskpro__agents') }}

),

renamed as (

    select
        id as agent_id,
        record ->> 'name' as agent_name,
        coalesce((record ->> 'is_disabled')::boolean, false) as is_disabled,
        _loaded_at

    from source

)

select * from renamed
