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

    select first_noticed_month as month, count(*) as new_accounts
    from accounts
    group by 1

),

monthly as (

    select
        months.month,
        months.month in (select month from sheets) as sheet_present,
        coalesce(counts.new_accounts, 0) as new_accounts
    from months
    left join counts on counts.month = months.month

),

compared as (

    select
        month,
        sheet_present,
        new_accounts,
        sum(new_accounts) over (order by month) as total_accounts,
        sum(new_accounts) over (partition by date_trunc('year', month) order by month) as new_accounts_ytd
    from monthly

),

final as (

    select
        -- grain
        cur.month,

        -- counts
        cur.sheet_present,
        cur.new_accounts,
        cur.new_accounts_ytd,
        cur.total_accounts,
        prev.total_accounts as total_accounts_prev_month,
        last_year.total_accounts as total_accounts_same_month_last_year,

        -- changes (ratios; rounded only when presented)
        {{ change_ratio('cur.total_accounts', 'prev.total_accounts') }} as total_mom_change,
        {{ change_ratio('cur.total_accounts', 'last_year.total_accounts') }} as total_yoy_change

    from compared as cur
    left join compared as prev
        on prev.month = (cur.month - interval '1 month')::date
    left join compared as last_year
        on last_year.month = (cur.month - interval '1 year')::date

)

select * from final
