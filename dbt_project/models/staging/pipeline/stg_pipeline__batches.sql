with

source as (

    select * from {{ raw_source('pipeline', '_batches', {
        'batch_id': 'text', 'source': 'text', 'window_': 'jsonb', 'streams': 'jsonb',
        'requests': 'integer', 'loaded_at': 'timestamptz'}, stream_table=false) }}

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
