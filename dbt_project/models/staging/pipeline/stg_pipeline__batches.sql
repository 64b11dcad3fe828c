with

source as (

    select * from {{ source('pipeline', '_batches') }}

),

renamed as (

    select
        batch_id,
        source,
        (window_ ->> 'full_refresh')::boolean as is_full_refresh,
        requests as request_count,
        loaded_at
    from source

)

select * from renamed
