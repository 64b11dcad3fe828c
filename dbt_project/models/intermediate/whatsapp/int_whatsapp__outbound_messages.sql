{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='wamid') }}
{#- Incremental by wamid: a run recomputes, from all their status events, the messages
    with an event loaded in incremental_window() (a late status changes its message). -#}
{#- One row per outbound message (bot, agent reply, blast), from its status events.
    The latest status is decided by delivery progress, not by arrival order:
    sent < delivered < read, and failed is terminal (a "delivered" that arrives after
    "failed" does not revive the message). Ties (the same status twice) go to the later
    event. The message was sent at its "sent" event, or its first event when Meta never
    sent "sent". Every event echoes the same callback data; the agent's wrap-up of a
    consultation (topic, escalated) rides on the chatbot's closing message. -#}
with

statuses as (

    select * from {{ ref('stg_whatsapp__statuses') }}
    {% if is_incremental() -%}
        where wamid in (
            select changed.wamid
            from {{ ref('stg_whatsapp__statuses') }} as changed
            where {{ incremental_window('changed._loaded_at') }}
        )
    {%- endif %}

),

progress as (

    select
        wamid,
        status,
        status_at,
        row_number() over (
            partition by wamid
            order by status_rank desc, status_at desc, status asc
        ) as progress_order
    from statuses

),

latest as (

    select
        wamid,
        status as latest_status,
        status_at as latest_status_at
    from progress
    where progress_order = 1

),

messages as (

    select
        wamid,
        max(recipient_key) as recipient_key,
        max(sender_kind) as sender_kind,
        max(agent_name) as agent_name,
        max(bot_step) as bot_step,
        max(blast_id) as blast_id,
        max(blast_subject) as blast_subject,
        max(template_name) as template_name,
        max(wrapup_topic) as wrapup_topic,
        bool_or(is_escalated) as is_escalated,
        max(pricing_category) as pricing_category,
        max(error_code) as error_code,
        count(*) as status_events,
        bool_or(status = 'delivered') as has_delivered_event,
        bool_or(status = 'read') as has_read_event,
        min(status_at) filter (where status = 'sent') as sent_event_at,
        min(status_at) as first_event_at,
        max(_loaded_at) as _loaded_at,
        max(_pseudonym_key_id) as _pseudonym_key_id
    from statuses
    group by wamid

),

final as (

    select
        -- ids
        messages.wamid,
        messages.recipient_key,
        messages.blast_id,

        -- attributes
        messages.sender_kind,
        messages.agent_name,
        messages.bot_step,
        messages.blast_subject,
        messages.template_name,
        messages.wrapup_topic,
        messages.pricing_category,
        latest.latest_status,
        messages.error_code,
        messages.status_events,
        messages.has_delivered_event,
        messages.has_read_event,

        -- booleans
        latest.latest_status in ('delivered', 'read') as is_delivered,
        messages.is_escalated,

        -- timestamps (UTC)
        coalesce(messages.sent_event_at, messages.first_event_at) as sent_at,
        latest.latest_status_at,

        -- lineage (incremental runs)
        messages._loaded_at,
        messages._pseudonym_key_id

    from messages
    inner join latest
        on messages.wamid = latest.wamid

)

select * from final
