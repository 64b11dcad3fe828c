{#- Village-government accounts following @ditjenpk: new accounts per month (first
    noticed) and the running total at the month's end. Months run from the
    register's first month sheet to its last. -#}
with

accounts as (

    select * from {{ ref('int_registers__village_follower_accounts') }}

),

sheets as (

    select sheet_month as month
    from {{ ref('stg_registers__workbook_sheets') }}
    where register_stream = 'instagram_village_followers'

),

months as (

    {{ month_spine('sheets', 'month') }}

),

counts as (

    select
        first_noticed_month as month,
        count(*) as new_accounts
    from accounts
    group by 1

),

monthly as (

    select
        months.month,
        months.month in (select sheets.month from sheets) as sheet_present,
        coalesce(counts.new_accounts, 0) as new_accounts
    from months
    left join counts on months.month = counts.month

),

running as (

    select
        month,
        sheet_present,
        new_accounts,
        sum(new_accounts) over (order by month) as total_accounts
    from monthly

),

compared as (

    {{ monthly_comparisons('running', ['total_accounts'], ytd=['new_accounts']) }}

),

final as (

    select
        -- grain
        month,

        -- counts
        sheet_present,
        new_accounts,
        new_accounts_ytd,
        total_accounts,
        total_accounts_prev_month,
        total_accounts_same_month_last_year,

        -- changes (ratios; rounded only when presented)
        total_accounts_mom_change as total_mom_change,
        total_accounts_yoy_change as total_yoy_change

    from compared

)

select * from final
