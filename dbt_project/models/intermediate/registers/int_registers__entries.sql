{#- Every valid row of the counted registers, one shape: which register kind it
    counts for (complaints by their kind), and its month (the sheet's month; a row
    dated outside it was rejected upstream). -#}
with

kinds as (

    select * from {{ ref('registers_kinds') }}

),

{#- register stream: its date column (complaints also give their kind) -#}
{%- set streams = {
    'video_conferences': 'conference_date',
    'face_to_face_consultations': 'consultation_date',
    'webinars': 'event_date',
    'ppid_requests': 'request_date',
    'complaints': 'complaint_date',
} %}

rows_ as (

    {%- for stream, date_column in streams.items() %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            register_row_key,
            '{{ stream }}' as register_stream,
            {{ 'complaint_kind' if stream == 'complaints' else 'null' }}::text as complaint_kind,
            sheet_month,
            {{ date_column }} as entry_date
        from {{ ref('stg_registers__' ~ stream) }}
    {%- endfor %}

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
        on
            rows_.register_stream = kinds.register_stream
            and rows_.complaint_kind is not distinct from kinds.complaint_kind

)

select * from final
