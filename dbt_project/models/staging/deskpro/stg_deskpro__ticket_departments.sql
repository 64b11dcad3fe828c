with

source as (

    select * from {{ raw_source('deskpro', 'deskpro__ticket_departments', {'id': 'bigint'}) }}

),

renamed as (

    select
        id as department_id,
        record ->> 'title' as department_title,
        (record ->> 'parent')::bigint as parent_department_id,
        _loaded_at

    from source

)

select * from renamed
