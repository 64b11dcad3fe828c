{#- The video_conferences register, row by row, in register order within the month. -#}
with

register_rows as (

    select * from {{ ref('stg_registers__video_conferences') }}

),

final as (

    select
        -- grain
        register_row_key,
        sheet_month as month,
        row_number() over (partition by sheet_month order by workbook, sheet, sheet_row) as row_in_month,

        -- attributes
        conference_date,
        region_text,
        region_name,
        region_note,
        topic,

        -- lineage
        workbook,
        sheet,
        sheet_row

    from register_rows

)

select * from final
