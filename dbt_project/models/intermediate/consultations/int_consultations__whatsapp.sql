{#- WhatsApp conversations in which the user chose "Chat Agent": the consultations of
    the WhatsApp channel, in the consultation contract shared by every
    int_consultations__<source> (see fct_consultations). Topic and escalation are the
    agent's wrap-up, carried in the callback data of the chatbot's closing message
    (null when the conversation was never wrapped up); the question typed into the
    registration form stays in int_whatsapp__conversations.question_text. The
    consultation's id is the pseudonym of the conversation's (a wamid holds the phone
    number): int_whatsapp__conversations.conversation_id -> pseudonymise(). -#}
with

conversations as (

    select * from {{ ref('int_whatsapp__conversations') }}
    where is_consultation

),

final as (

    select
        -- ids: the conversation id is a wamid, base64 that holds the user's phone number,
        -- so what reaches the marts is its pseudonym (keyed HMAC)
        'whatsapp-' || {{ pseudonymise('conversation_id') }} as consultation_id,
        'whatsapp' as source_system,
        {{ pseudonymise('conversation_id') }} as source_record_id,
        user_key,

        -- attributes
        'whatsapp' as channel_key,
        region_text,
        institution_text,
        wrapup_topic as topic_text,
        agent_name,
        feedback_rating,
        is_escalated,

        -- timestamps
        started_at as created_at,
        first_agent_reply_at,
        resolved_at,

        -- lineage: int_consultations__enriched recomputes a user's consultations after a new load
        _loaded_at

    from conversations

)

select * from final
