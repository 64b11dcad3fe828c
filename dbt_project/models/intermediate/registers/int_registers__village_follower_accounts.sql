{#- One row per village-government account: when it was first noticed following
    @ditjenpk (an account noted again later is still one account). -#}
with

noted as (

    select * from {{ ref('stg_registers__instagram_village_followers') }}

),

ranked as (

    select
        noted.*,
        row_number()
            over (partition by noted.account order by noted.noticed_on, noted.workbook, noted.sheet, noted.sheet_row)
            as nth,
        count(*) over (partition by noted.account) as times_noted
    from noted

),

final as (

    select
        account,
        village,
        noticed_on as first_noticed_on,
        date_trunc('month', noticed_on)::date as first_noticed_month,
        times_noted,
        register_row_key as first_register_row_key
    from ranked
    where nth = 1

)

select * from final
