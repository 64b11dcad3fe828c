{#- Deskpro tickets that are consultations, each with its report channel.
    The channel comes from the first matching rule of seed deskpro_channel_rules.
    A ticket is escalated when an agent put the label var('deskpro_escalation_label')
    ("eskalasi") on it (stg_deskpro__tickets.is_escalated). -#}
with

tickets as (

    select * from {{ ref('stg_deskpro__tickets') }}
    where not is_excluded

),

departments as (

    select * from {{ ref('stg_deskpro__ticket_departments') }}

),

people as (

    select * from {{ ref('stg_deskpro__people') }}

),

agents as (

    select * from {{ ref('stg_deskpro__agents') }}

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
        on
            (rules.creation_system is null or tickets.creation_system = rules.creation_system)
            and (rules.department_title is null or departments.department_title = rules.department_title)
            and (rules.has_linked_chat is null or rules.has_linked_chat = (tickets.linked_chat_id is not null))
    order by tickets.ticket_id, rules.priority nulls last

),

final as (

    select
        -- ids
        'deskpro-' || matched.ticket_id as consultation_id,
        'deskpro' as source_system,
        matched.ticket_id::text as source_record_id,
        -- the person by their e-mail's pseudonym, else by their Deskpro id's (keyed HMAC both)
        'deskpro-'
        || coalesce(people.email_hash, {{ pseudonymise("'deskpro-person:' || matched.person_id") }}) as user_key,

        -- attributes
        matched.channel_key,
        coalesce(matched.region_text, people.region_text) as region_text,
        people.institution_text,
        matched.topic_text,
        agents.agent_name,
        matched.feedback_rating,
        matched.is_escalated,

        -- timestamps
        matched.created_at,
        matched.first_agent_reply_at,
        matched.resolved_at

    from matched
    left join people
        on matched.person_id = people.person_id
    left join agents
        on matched.agent_id = agents.agent_id

)

select * from final
