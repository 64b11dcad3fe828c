-- depends_on: {{ ref('stg_whatsapp__statuses') }}
{{ config(
    materialized='incremental',
    incremental_strategy='suffix_replace',
    unique_key='user_key',
    meta={'suffix_from': 'started_at'},
    pre_hook="{{ delete_rows_of_another_pseudonym_key() }}",
) }}
{#- Incremental by user, bounded in time: a run recomputes the conversations of each user with
    a message, or an outbound message (a status event), loaded in incremental_window()
    (macros/incremental.sql), from the start of the user's conversation (as last built) that
    started at or before the earliest of them (a message's sent_at; an outbound message's
    earliest status event, whatever its sent_at was or is: whatsapp_outbound_changes()), or
    from the user's first message when none did. From there a late message may join, merge or
    split conversations, or start a new one, which ends the previous conversation earlier (a
    conversation's outbound messages are those sent before the user's next conversation
    starts); that previous conversation is the one the run starts from, since it started at or
    before the new message. Nothing before that start changes: the conversation before it ends
    there, and it stays a conversation start (every message before the earliest new one is as it
    was). Strategy suffix_replace (macros/incremental.sql): the user's rows from that start on are
    replaced, so a conversation merged into another (its id gone) is deleted too. -#}
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
with

{% if is_incremental() -%}
    outbound_changes as (

        {{ whatsapp_outbound_changes(whatsapp_conversation_references()) }}

    ),

    changed as (

        -- per user with a message or an outbound message loaded in the window: the earliest time it may change
        select
            user_key,
            min(changed_at) as changed_at
        from (
            select
                user_key,
                sent_at as changed_at
            from {{ ref('int_whatsapp__conversation_messages') }}
            where {{ incremental_window('_loaded_at', whatsapp_conversation_references()) }}
            union all
            select
                user_key,
                changed_at
            from outbound_changes
            where is_conversational
        ) as changes
        group by user_key

    ),

    recomputed_from as (

        -- the start of the user's latest conversation (as last built) started at or before it
        select
            changed.user_key,
            coalesce(max(built.started_at), '-infinity'::timestamptz) as started_at
        from changed
        left join {{ this }} as built
            on
                changed.user_key = built.user_key
                and changed.changed_at >= built.started_at
        group by changed.user_key

    ),

{% endif -%}
messages as (

    select conversation_messages.*
    from {{ ref('int_whatsapp__conversation_messages') }} as conversation_messages
    {% if is_incremental() -%}
        inner join recomputed_from
            on
                conversation_messages.user_key = recomputed_from.user_key
                and conversation_messages.sent_at >= recomputed_from.started_at
    {%- endif %}

),

outbound as (

    select outbound_messages.*
    from {{ ref('int_whatsapp__outbound_messages') }} as outbound_messages
    {% if is_incremental() -%}
        inner join recomputed_from
            on
                outbound_messages.recipient_key = recomputed_from.user_key
                and outbound_messages.sent_at >= recomputed_from.started_at
    {%- endif %}
    where outbound_messages.sender_kind is distinct from 'blast'

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
