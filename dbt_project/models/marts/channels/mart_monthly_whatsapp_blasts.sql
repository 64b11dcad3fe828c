{#- The WhatsApp blast register: one row per blast, as the report lists them
    (date, subject), with how far each reached its recipients. -#}
with

blasts as (

    select * from {{ ref('int_whatsapp__blasts') }}

),

final as (

    select
        -- grain
        blast_id,
        month,
        blast_date,

        -- attributes
        subject,
        template_name,

        -- recipients by latest status
        recipients,
        recipients_sent,
        recipients_delivered,
        recipients_read,
        recipients_failed,
        recipients_other,
        recipients_delivered + recipients_read as recipients_reached,
        {{ share_ratio('recipients_delivered + recipients_read', 'recipients') }} as reach_ratio,

        -- timestamps
        sent_at

    from blasts

)

select * from final
