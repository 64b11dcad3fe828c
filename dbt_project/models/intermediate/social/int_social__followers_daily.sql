{#- The follower count of each account at the end of each local day it was
    captured: the APIs give current values only, so this is the daily snapshot
    history (Instagram followers_count, Facebook Page followers_count, X
    public_metrics.followers_count). -#}
with

instagram as (

    select * from {{ ref('stg_meta__ig_account_snapshots') }}

),

facebook as (

    select * from {{ ref('stg_meta__fb_page_snapshots') }}

),

twitter as (

    select * from {{ ref('stg_x__user_snapshots') }}

),

unioned as (

    select
        'instagram' as platform,
        account_id,
        snapshot_date,
        followers_count,
        captured_at
    from instagram
    union all
    select
        'facebook' as platform,
        page_id as account_id,
        snapshot_date,
        followers_count,
        captured_at
    from facebook
    union all
    select
        'twitter' as platform,
        user_id as account_id,
        snapshot_date,
        followers_count,
        captured_at
    from twitter

),

final as (

    select
        -- grain
        platform,
        account_id,
        snapshot_date,

        -- measures
        followers_count,

        -- timestamps
        captured_at

    from unioned

)

select * from final
