{#- Satisfaction ratings per month and agent, and the report's rule: every agent has at
    least var('agent_rating_min_ratings') ratings from at least var('agent_rating_min_raters')
    different users in the month. A rating counts in the month of its consultation. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

agents as (

    select * from {{ ref('dim_agent') }}

),

months as (

    {{ month_spine('consultations', 'created_month') }}

),

counts as (

    select
        created_month as month,
        agent_name,
        count(*) as consultations,
        count(feedback_rating) as ratings,
        count(distinct user_key) filter (where feedback_rating is not null) as raters,
        avg(feedback_rating)::double precision as avg_rating,
        min(feedback_rating) as min_rating
    from consultations
    where agent_name is not null
    group by 1, 2

),

monthly as (

    select
        months.month,
        agents.agent_key,
        agents.agent_name,
        coalesce(counts.consultations, 0) as consultations,
        coalesce(counts.ratings, 0) as ratings,
        coalesce(counts.raters, 0) as raters,
        counts.avg_rating,
        counts.min_rating
    from months
    cross join agents
    left join counts
        on
            months.month = counts.month
            and agents.agent_name = counts.agent_name
    where agents.first_month <= months.month

),

final as (

    select
        -- grain
        month,
        agent_key,

        -- attributes
        agent_name,

        -- the month
        consultations,
        ratings,
        raters,
        avg_rating,
        min_rating,
        ratings >= {{ var('agent_rating_min_ratings', 5) }}
        and raters >= {{ var('agent_rating_min_raters', 5) }} as meets_rating_rule,

        -- the month over agents: the report's figure is the mean of the agents' averages
        avg(avg_rating) over (partition by month) as avg_rating_over_agents,
        bool_and(
            ratings >= {{ var('agent_rating_min_ratings', 5) }}
            and raters >= {{ var('agent_rating_min_raters', 5) }}) over (partition by month)
            as all_agents_meet_rating_rule

    from monthly

)

select * from final
