{#- The face-to-face consultations register, row by row, with the guest limit of
    seed registers_settings and a flag on visits above it. -#}
with

visits as (

    select * from {{ ref('stg_registers__face_to_face_consultations') }}

),

settings as (

    select value::integer as guest_limit
    from {{ ref('registers_settings') }}
    where setting = 'face_to_face_guest_limit'

),

final as (

    select
        -- grain
        visits.register_row_key,
        visits.sheet_month as month,
        row_number() over (
            partition by visits.sheet_month
            order by visits.workbook, visits.sheet, visits.sheet_row
        ) as row_in_month,

        -- attributes
        visits.consultation_date,
        visits.region_text,
        visits.region_name,
        visits.region_note,
        visits.topic,
        visits.guests,
        settings.guest_limit,

        -- booleans
        visits.guests > settings.guest_limit as above_guest_limit,

        -- lineage
        visits.workbook,
        visits.sheet,
        visits.sheet_row

    from visits
    left join settings on true

)

select * from final
