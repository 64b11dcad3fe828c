with

source as (

    select * from {{ raw_source('pipeline', '_quarantine', {
        'source': 'text', 'stream': 'text', 'record_key': 'text', 'reason': 'text', 'record_hash': 'text',
        'record': 'jsonb', 'request': 'text', 'first_batch_id': 'text', 'last_batch_id': 'text',
        'first_seen_at': 'timestamptz', 'last_seen_at': 'timestamptz', 'times_seen': 'integer',
        'action': 'text', 'resolved_at': 'timestamptz', 'resolved_batch_id': 'text'},
        stream_table=false) }}

),

renamed as (

    select
        -- grain
        source,
        stream,
        record_key,
        reason,
        record_hash,

        -- what was rejected
        record,
        request,

        -- when
        first_batch_id,
        last_batch_id,
        first_seen_at,
        last_seen_at,
        times_seen,

        -- what the loader did and whether it still stands
        action,  -- rejected: kept out of raw; nulled: loaded with the invalid field set to null
        resolved_at,  -- the key later loaded valid (null: still open)
        resolved_batch_id,
        resolved_at is null as is_open
    from source

)

select * from renamed
