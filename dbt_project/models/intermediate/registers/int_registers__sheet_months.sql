{#- The months each register kind covers: those with a month sheet in a loaded
    workbook, whether or not the sheet has rows. -#}
with

sheets as (

    select * from {{ ref('stg_registers__workbook_sheets') }}

),

kinds as (

    select * from {{ ref('registers_kinds') }}

),

final as (

    select distinct
        kinds.register_kind,
        sheets.sheet_month as month
    from sheets
    inner join kinds
        on sheets.register_stream = kinds.register_stream

)

select * from final
