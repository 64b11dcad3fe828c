{{ config(materialized='table') }}  {#- a table: read by both Email Lapor marts and their tests -#}
{#- Email Lapor messages that are reports (not spam), each with its report type:
    the first rule of seed email_lapor_report_types (by priority) whose pattern
    matches the subject and attachment names, case-insensitively; 'unclassified'
    when none does. Month in the report's time zone. -#}
with

messages as (

    select * from {{ ref('stg_email_lapor__messages') }}
    where not is_spam

),

rules as (

    select * from {{ ref('email_lapor_report_types') }}

),

matched as (

    select distinct on (messages.message_key)
        messages.*,
        rules.report_type_key,
        rules.report_type,
        rules.priority as report_type_rule_priority
    from messages
    left join rules
        on (coalesce(messages.subject, '') || ' | ' || coalesce(messages.attachment_names, '')) ~* rules.pattern
    order by messages.message_key, rules.priority nulls last

),

final as (

    select
        -- ids
        message_key,
        message_id,
        sender_key,

        -- attributes
        coalesce(report_type_key, 'unclassified') as report_type_key,
        coalesce(report_type, 'unclassified') as report_type,
        report_type_rule_priority,
        sender_domain,
        is_government_sender,
        sender_region_slug,
        sender_region_kind,
        attachment_count,
        attachment_bytes,
        deliveries,

        -- booleans
        report_type_key is not null as is_classified,

        -- timestamps: UTC, then wall-clock in the report's time zone
        received_at,
        {{ to_report_time('received_at') }} as received_at_local,
        date_trunc('month', {{ to_report_time('received_at') }})::date as received_month

    from matched

)

select * from final
