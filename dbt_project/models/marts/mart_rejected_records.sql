{#- Every record the loader kept out of raw.* and why (raw._quarantine): one row per
    distinct rejected record, for the report's "Catatan data" and for staff to fix at
    the source (a register row names its workbook, sheet and row). -#}
with

quarantine as (

    select * from {{ ref('stg_pipeline__quarantine') }}

),

final as (

    select
        -- grain
        source,
        stream,
        record_key,
        reason,
        record_hash,

        -- how often, since when
        times_seen,
        first_seen_at,
        last_seen_at

    from quarantine

)

select * from final
