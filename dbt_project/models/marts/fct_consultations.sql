{#- Every consultation of every channel, one row each.
    Each source contributes an int_consultations__<source> model with exactly these
    columns (the consultation contract):
      consultation_id, source_system, source_record_id, user_key,
      channel_key, region_text, institution_text, topic_text, agent_name,
      feedback_rating, is_escalated, created_at, first_agent_reply_at, resolved_at -#}
{%- set sources = ['int_consultations__deskpro'] -%}
with

unioned as (

    {% for model in sources -%}
    select
        consultation_id, source_system, source_record_id, user_key,
        channel_key, region_text, institution_text, topic_text, agent_name,
        feedback_rating, is_escalated, created_at, first_agent_reply_at, resolved_at
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        -- ids
        consultation_id,
        source_system,
        source_record_id,
        user_key,

        -- attributes
        channel_key,
        region_text,
        institution_text,
        topic_text,
        agent_name,
        feedback_rating,
        is_escalated,

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
