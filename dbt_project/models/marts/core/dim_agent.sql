with

consultations as (

    select * from {{ ref('fct_consultations') }}
    where agent_name is not null

),

final as (

    select
        lower(agent_name) as agent_key,
        agent_name,
        min(created_month) as first_month,
        max(created_month) as last_month,
        count(*) as consultations,
        string_agg(distinct channel_key, ', ' order by channel_key) as channels
    from consultations
    group by agent_name

)

select * from final
