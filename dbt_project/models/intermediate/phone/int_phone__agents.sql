{#- Agents as CMS knows them: the name of each login id from its latest interval row. -#}
{{ config(materialized='table') }}  {#- one scan of the agent intervals per build, read by the calls and the tests -#}
with

agent_intervals as (

    select * from {{ ref('stg_avaya__agent_intervals') }}

),

final as (

    select distinct on (agent_logid)
        agent_logid,
        agent_name,
        acd,
        split,
        row_date as last_seen_on
    from agent_intervals
    order by agent_logid asc, row_date desc, starttime desc

)

select * from final
