{#- Every consultation of every channel, one row each. Sources join by union. -#}
with

deskpro as (

    select * from {{ ref('int_consultations__deskpro') }}

),

unioned as (

    select * from deskpro

),

final as (

    select
        -- ids
        consultation_id,
        source_system,
        source_record_id,
        person_id,
        organization_id,
        agent_id,

        -- attributes
        channel_key,
        region_text,
        topic_text,
        feedback_rating,

        -- timestamps: UTC, then wall-clock in the report's time zone
        created_at,
        {{ to_report_time('created_at') }} as created_at_local,
        date_trunc('month', {{ to_report_time('created_at') }})::date as created_month,
        first_agent_reply_at,
        resolved_at,

        -- durations (calendar minutes)
        extract(epoch from first_agent_reply_at - created_at) / 60.0 as minutes_to_first_reply,
        extract(epoch from resolved_at - created_at) / 60.0 as minutes_to_resolution

    from unioned

)

select * from final
