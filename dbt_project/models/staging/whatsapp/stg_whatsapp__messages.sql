{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='wamid') }}
{#- Incremental (one row per raw row): a run reads what was loaded since the last one,
    minus var('incremental_lookback_days'); macros/incremental.sql. -#}
{% call staging_model(
    'whatsapp', 'whatsapp__messages', {'wamid': 'text', 'sent_at': 'timestamptz'}, incremental=true
) -%}
        -- ids
        wamid,
        -- the user: the phone number when the message carries it (all history), else the
        -- business-scoped user id (BSUID) Meta sends for a user whose number is withheld
        'whatsapp-' || {{ pseudonymise("coalesce(record ->> 'from', record ->> 'from_user_id')") }} as user_key,
        record -> 'context' ->> 'id' as context_wamid,

        -- attributes
        record ->> 'type' as message_type,
        record -> 'text' ->> 'body' as text_body,
        record -> 'interactive' ->> 'type' as interactive_type,
        coalesce(
            record -> 'interactive' -> 'list_reply' ->> 'id',
            record -> 'interactive' -> 'button_reply' ->> 'id'
        ) as reply_id,
        coalesce(
            record -> 'interactive' -> 'list_reply' ->> 'title',
            record -> 'interactive' -> 'button_reply' ->> 'title'
        ) as reply_title,
        record -> 'interactive' -> 'list_reply' ->> 'description' as reply_description,

        -- PII is pseudonymised here (keyed HMAC): the phone number (wa_id) and the WhatsApp profile name
        {{ pseudonymise("lower(trim(record -> '_contact' -> 'profile' ->> 'name'))") }} as profile_name_hash,

        -- lineage
        record ->> '_origin' as origin,
        nullif(record ->> '_received_at', '')::timestamptz as received_at,
        _batch_id,
        _loaded_at,

        -- timestamps (UTC)
        sent_at
{%- endcall %}
