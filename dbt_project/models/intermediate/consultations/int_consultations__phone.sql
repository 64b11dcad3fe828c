{#- Answered calls to the consultation hotline (phone 150420), in the consultation contract.
    One row per answered call (UCID). The caller is keyed by the hash of the calling number;
    the region is the area code's when the caller rang from a landline, else null. -#}
with

calls as (

    select * from {{ ref('int_phone__calls') }}
    where is_consultation
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
        null::text as institution_text,
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
