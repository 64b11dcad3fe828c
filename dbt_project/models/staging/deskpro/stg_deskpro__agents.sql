with

source as (

    select * from {{ raw_source('deskpro', 'deskpro__agents', {'id': 'bigint'}) }}

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
