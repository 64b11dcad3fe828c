{#- Every valid row of the counted registers, one shape: which register kind it
    counts for (complaints by their kind), and its month (the sheet's month; a row
    dated outside it was rejected upstream). -#}
with

kinds as (

    select * from {{ ref('registers_kinds') }}

),

rows_ as (

    select register_row_key, 'video_conferences' as register_stream, null::text as complaint_kind,
           sheet_month, conference_date as entry_date
    from {{ ref('stg_registers__video_conferences') }}
    union all
    select register_row_key, 'face_to_face_consultations', null, sheet_month, consultation_date
    from {{ ref('stg_registers__face_to_face_consultations') }}
    union all
    select register_row_key, 'webinars', null, sheet_month, event_date
    from {{ ref('stg_registers__webinars') }}
    union all
    select register_row_key, 'ppid_requests', null, sheet_month, request_date
    from {{ ref('stg_registers__ppid_requests') }}
    union all
    select register_row_key, 'complaints', complaint_kind, sheet_month, complaint_date
    from {{ ref('stg_registers__complaints') }}

),

final as (

    select
        rows_.register_row_key,
        kinds.register_kind,
        rows_.register_stream,
        rows_.sheet_month as entry_month,
        rows_.entry_date
    from rows_
    left join kinds
        on kinds.register_stream = rows_.register_stream
        and kinds.complaint_kind is not distinct from rows_.complaint_kind

)

select * from final
