{#- Answered calls to the consultation hotline (phone 150420), in the consultation contract.
    One row per answered call (UCID). The caller is keyed by the hash of the calling number.
    Who called and about what is the CDR account code the agent keyed (int_phone__calls):
    the caller type's institution text, the label of the caller's local government (Pemda
    callers; null otherwise) and the topic. The landline's area code never sets the region:
    an office line's area says where the phone is, not whose consultation it was. -#}
with

calls as (

    select * from {{ ref('int_phone__calls') }}
    where
        is_consultation
        and outcome = 'answered'

),

final as (

    select
        -- ids
        'avaya-' || ucid as consultation_id,
        'avaya' as source_system,
        ucid as source_record_id,
        'avaya-' || calling_number_hash as user_key,

        -- attributes
        'phone' as channel_key,
        region_text,
        institution_text,
        topic as topic_text,
        agent_name,
        null::integer as feedback_rating,
        is_conference as is_escalated,

        -- timestamps
        arrived_at as created_at,
        answered_at as first_agent_reply_at,
        ended_at as resolved_at

    from calls

)

select * from final
