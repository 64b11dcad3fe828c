{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='user_key',
    pre_hook="{{ delete_rows_of_another_pseudonym_key() }}",
) }}
{#- Incremental by user: a run recomputes every conversation of each user with a message,
    or an outbound message (a status event), loaded in incremental_window()
    (macros/incremental.sql), from all the user's messages: a conversation's end and its
    outbound messages depend on the user's next conversation. delete+insert by user_key
    also removes a conversation merged into another by a late message. -#}
{#- One row per WhatsApp conversation (see int_whatsapp__conversation_messages), with
    the chatbot's registration form answers as typed, the hand-off to an agent, the
    first agent reply, the closing message, the agent's wrap-up (topic, escalated: the
    callback data of the closing message) and the user's rating.
    Outbound messages (seen only through their status events) belong to the
    recipient's latest conversation started at or before they were sent. -#}
{%- set name_labels = 'nama(?:[ \\t]+lengkap)?' -%}
{%- set region_labels = 'asal[ \\t]+daerah|daerah(?:[ \\t]*/[ \\t]*pemda)?|pemda|wilayah' -%}
{%- set institution_labels = 'instansi(?:[ \\t]*/[ \\t]*(?:skpd|opd))?|skpd|opd|unit[ \\t]+kerja' -%}
{%- set email_labels = 'e-?mail' -%}
{%- set question_labels = 'pertanyaan|keperluan' -%}
{#- incremental runs: the users with a message or an outbound message loaded in the window -#}
{%- set changed_users -%}
    select changed.user_key
    from {{ ref('int_whatsapp__conversation_messages') }} as changed
    where {{ incremental_window('changed._loaded_at', whatsapp_conversation_references()) }}
    union
    select changed.recipient_key
    from {{ ref('int_whatsapp__outbound_messages') }} as changed
    where {{ incremental_window('changed._loaded_at', whatsapp_conversation_references()) }}
{%- endset %}
with

messages as (

    select * from {{ ref('int_whatsapp__conversation_messages') }}
    {% if is_incremental() -%}
        where user_key in ({{ changed_users }})
    {%- endif %}

),

outbound as (

    select * from {{ ref('int_whatsapp__outbound_messages') }}
    where
        sender_kind is distinct from 'blast'
        {% if is_incremental() -%}
            and recipient_key in ({{ changed_users }})
        {%- endif %}

),

conversations as (

    select
        conversation_id,
        user_key,
        min(sent_at) as started_at,
        max(sent_at) as last_user_message_at,
        count(*) as user_messages,
        count(*) filter (where is_menu_selection) as menu_selections,
        min(sent_at) filter (where is_handoff) as handed_off_at,
        max(_loaded_at) as _loaded_at
    from messages
    group by conversation_id, user_key

),

bounded as (

    select
        *,
        lead(started_at) over (partition by user_key order by started_at) as next_started_at
    from conversations

),

form_answers as (

    {#- The first text that looks like the form: "label: value" lines, or "#"-separated fields. -#}
    select distinct on (conversation_id)
        conversation_id,
        text_body,
        text_body
        ~* '(^|\n)[ \t]*([0-9]+[.)][ \t]*)?(nama|daerah|asal daerah|instansi|skpd|e-?mail|pertanyaan)[^\n:=]{0,20}[:=]'
            as is_labelled
    from messages
    where
        message_type = 'text'
        and (
            text_body ~* (
                '(^|\n)[ \t]*([0-9]+[.)][ \t]*)?'
                || '(nama|daerah|asal daerah|instansi|skpd|e-?mail|pertanyaan)[^\n:=]{0,20}[:=]'
            )
            or length(text_body) - length(replace(text_body, '#', '')) >= 3
        )
    order by conversation_id, sent_at, wamid

),

forms as (

    select
        conversation_id,
        case
            when is_labelled then {{ whatsapp_form_field('text_body', name_labels) }}
            else nullif(trim(split_part(text_body, '#', 1)), '')
        end as name_text,
        case
            when is_labelled then {{ whatsapp_form_field('text_body', region_labels) }}
            else nullif(trim(split_part(text_body, '#', 2)), '')
        end as region_text,
        case
            when is_labelled then {{ whatsapp_form_field('text_body', institution_labels) }}
            else nullif(trim(split_part(text_body, '#', 3)), '')
        end as institution_text,
        case
            when is_labelled then {{ whatsapp_form_field('text_body', email_labels) }}
            else nullif(trim(split_part(text_body, '#', 4)), '')
        end as email_text,
        case
            when is_labelled then {{ whatsapp_form_field('text_body', question_labels) }}
            else nullif(trim(split_part(text_body, '#', 5)), '')
        end as question_text
    from form_answers

),

ratings as (

    {#- The user's last answer to the satisfaction survey. -#}
    select distinct on (conversation_id)
        conversation_id,
        rating_value
    from messages
    where rating_value is not null
    order by conversation_id asc, sent_at desc, wamid desc

),

assigned as (

    select
        bounded.conversation_id,
        outbound.wamid,
        outbound.sender_kind,
        outbound.bot_step,
        outbound.agent_name,
        outbound.wrapup_topic,
        outbound.is_escalated,
        outbound.sent_at,
        outbound._loaded_at
    from bounded
    inner join outbound
        on
            bounded.user_key = outbound.recipient_key
            and bounded.started_at <= outbound.sent_at
            and (bounded.next_started_at is null or bounded.next_started_at > outbound.sent_at)

),

first_replies as (

    select distinct on (conversation_id)
        conversation_id,
        sent_at as first_agent_reply_at,
        agent_name
    from assigned
    where sender_kind = 'agent_reply'
    order by conversation_id, sent_at, wamid

),

wrapups as (

    {#- The agent's last wrap-up in the conversation (a consultation closed twice keeps the later). -#}
    select distinct on (conversation_id)
        conversation_id,
        wrapup_topic,
        is_escalated
    from assigned
    where wrapup_topic is not null or is_escalated is not null
    order by conversation_id asc, sent_at desc, wamid desc

),

outbound_counts as (

    select
        conversation_id,
        count(*) filter (where sender_kind = 'agent_reply') as agent_replies,
        count(*) filter (where sender_kind = 'bot') as bot_messages,
        min(sent_at) filter (where sender_kind = 'bot' and bot_step = 'close') as closed_at,
        max(_loaded_at) as _loaded_at
    from assigned
    group by conversation_id

),

final as (

    select
        -- ids
        bounded.conversation_id,
        bounded.user_key,

        -- the registration form, as typed (name and e-mail pseudonymised: keyed HMAC)
        {{ pseudonymise('lower(forms.name_text)') }} as name_hash,
        {{ pseudonymise('lower(forms.email_text)') }} as email_hash,
        lower(split_part(forms.email_text, '@', 2)) as email_domain,
        forms.region_text,
        forms.institution_text,
        forms.question_text,

        -- attributes
        first_replies.agent_name,
        wrapups.wrapup_topic,
        ratings.rating_value as feedback_rating,
        bounded.user_messages,
        bounded.menu_selections,
        coalesce(outbound_counts.bot_messages, 0) as bot_messages,
        coalesce(outbound_counts.agent_replies, 0) as agent_replies,

        -- booleans
        forms.conversation_id is not null as has_form_answer,
        bounded.handed_off_at is not null as is_consultation,
        wrapups.is_escalated,

        -- timestamps (UTC), then the report month in the report's time zone
        bounded.started_at,
        date_trunc('month', {{ to_report_time('bounded.started_at') }})::date as started_month,
        bounded.last_user_message_at,
        bounded.handed_off_at,
        first_replies.first_agent_reply_at,
        outbound_counts.closed_at as resolved_at,

        -- lineage (incremental runs): the latest load of its messages and outbound messages
        greatest(bounded._loaded_at, outbound_counts._loaded_at) as _loaded_at,
        {{ pseudonym_key_id() }} as _pseudonym_key_id,
        {{ reference_fingerprint(whatsapp_conversation_references()) }} as _reference_fingerprint

    from bounded
    left join forms
        on bounded.conversation_id = forms.conversation_id
    left join ratings
        on bounded.conversation_id = ratings.conversation_id
    left join first_replies
        on bounded.conversation_id = first_replies.conversation_id
    left join outbound_counts
        on bounded.conversation_id = outbound_counts.conversation_id
    left join wrapups
        on bounded.conversation_id = wrapups.conversation_id

)

select * from final
