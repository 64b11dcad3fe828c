{#- Profile visits per account and local day. Only X reports them (from the
    analytics CSV export: the X API v2 has no profile visits). -#}
with

twitter as (

    select * from {{ ref('stg_x__account_analytics') }}

),

final as (

    select
        -- grain
        'twitter' as platform,
        username as account,
        activity_date,

        -- measures
        profile_visits

    from twitter

)

select * from final
