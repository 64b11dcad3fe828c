{#- Deskpro tickets that are consultations, each with its report channel.
    The channel comes from the first matching rule of seed deskpro_channel_rules. -#}
with

tickets as (

    select * from {{ ref('stg_deskpro__tickets') }}
    where not is_excluded

),

departments as (

    select * from {{ ref('stg_deskpro__ticket_departments') }}

),

rules as (

    select * from {{ ref('deskpro_channel_rules') }}

),

matched as (

    select distinct on (tickets.ticket_id)
        tickets.*,
        departments.department_title,
        rules.channel_key,
        rules.priority as channel_rule_priority
    from tickets
    left join departments
        on tickets.department_id = departments.department_id
    left join rules
        on (rules.creation_system is null or rules.creation_system = tickets.creation_system)
        and (rules.department_title is null or rules.department_title = departments.department_title)
        and (rules.has_linked_chat is null or rules.has_linked_chat = (tickets.linked_chat_id is not null))
    order by tickets.ticket_id, rules.priority nulls last

),

final as (

    select
        -- ids
        'deskpro-' || ticket_id as consultation_id,
        'deskpro' as source_system,
        ticket_id::text as source_record_id,
        person_id,
        organization_id,
        agent_id,

        -- attributes
        channel_key,
        department_title,
        creation_system,
        region_text,
        topic_text,
        feedback_rating,

        -- timestamps
        created_at,
        first_agent_reply_at,
        resolved_at

    from matched

)

select * from final
