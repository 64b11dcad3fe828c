{#- The webinars register, row by row, in register order within the month. -#}
with

register_rows as (

    select * from {{ ref('stg_registers__webinars') }}

),

final as (

    select
        -- grain
        register_row_key,
        sheet_month as month,
        row_number() over (partition by sheet_month order by workbook, sheet, sheet_row) as row_in_month,

        -- attributes
        event_date,
        title,
        event_kind,

        -- lineage
        workbook,
        sheet,
        sheet_row

    from register_rows

)

select * from final
