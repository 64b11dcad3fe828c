{#- Every consultation of every channel, one row each: int_consultations__enriched
    without what the user typed. The typed region, institution and topic (and the
    cleaned region) may hold anything, people's names included (UU 27/2022): they stay
    in the engineers-only intermediate schema, and BI gets what was derived from them
    (region code, segment, topic), `has_region_text`, and pseudonymous keys
    (`user_key`, the WhatsApp `consultation_id`: keyed HMAC, macros/pseudonymise.sql). -#}
with

consultations as (

    select * from {{ ref('int_consultations__enriched') }}

),

final as (

    select
        -- ids (pseudonymous where the source's id is personal)
        consultation_id,
        source_system,
        source_record_id,
        user_key,

        -- attributes
        channel_key,
        agent_name,
        feedback_rating,
        is_escalated,

        -- enrichment: the user's region and time zone (null when the typed region does not resolve)
        region_text_clean <> '' as has_region_text,
        region_code,
        region_label,
        region_kind,
        local_government_code,
        local_government_name,
        timezone,
        is_timezone_identified,

        -- enrichment: segment and topic
        segment,
        segment_rule_id,
        topic,

        -- timestamps: UTC, then wall-clock in the report's time zone and in the user's
        created_at,
        created_at_local,
        created_month,
        created_at_user_local,
        first_agent_reply_at,
        resolved_at,

        -- service hours in the user's own time zone; null when the time zone is unknown
        is_within_service_hours,

        -- durations: calendar minutes, and minutes of the contact center's working hours
        minutes_to_first_reply,
        minutes_to_resolution,
        business_minutes_to_first_reply,
        business_minutes_to_resolution

    from consultations

)

select * from final
