{#- One row per WhatsApp blast (a template broadcast): its recipients by latest status.
    The blast id and subject come from the callback data the broadcast tool attaches to
    every message; the blast's time is its first status event. -#}
with

recipients as (

    select * from {{ ref('int_whatsapp__outbound_messages') }}
    where sender_kind = 'blast'

),

final as (

    select
        -- ids
        blast_id,

        -- attributes
        max(blast_subject) as subject,
        max(template_name) as template_name,
        count(*) as recipients,
        count(*) filter (where latest_status = 'sent') as recipients_sent,
        count(*) filter (where latest_status = 'delivered') as recipients_delivered,
        count(*) filter (where latest_status = 'read') as recipients_read,
        count(*) filter (where latest_status = 'failed') as recipients_failed,
        count(*) filter (where latest_status not in ('sent', 'delivered', 'read', 'failed')) as recipients_other,

        -- timestamps: UTC, then the report's time zone
        min(sent_at) as sent_at,
        ({{ to_report_time('min(sent_at)') }})::date as blast_date,
        date_trunc('month', {{ to_report_time('min(sent_at)') }})::date as month

    from recipients
    group by blast_id

)

select * from final
