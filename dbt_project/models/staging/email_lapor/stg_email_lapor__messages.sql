{#- One row per distinct message. A message delivered twice (re-sent with the same
    Message-ID) or read again under a new UIDVALIDITY counts once: its first
    delivery is kept. A message without a Message-ID is identified by the sha256
    of its raw bytes. The sender address is pseudonymised (keyed HMAC); its domain is kept.
    Incremental by message key: a run recomputes, from all their deliveries, the messages
    with a delivery loaded in incremental_window() (macros/incremental.sql). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='message_key',
    pre_hook="{{ ensure_raw_index('email_lapor', 'email_lapor__messages', 'email_lapor__messages_message_key',
        email_lapor_message_key()) }}",
) }}
{%- set message_key = email_lapor_message_key() -%}
{%- set raw_messages = raw_source('email_lapor', 'email_lapor__messages', {
    'uidvalidity': 'bigint', 'uid': 'bigint', 'received_at': 'timestamptz'
}) -%}
with

source as (

    select * from {{ raw_messages }}
    {% if is_incremental() -%}
        where {{ message_key }} in (
            select {{ message_key }}
            from {{ raw_messages }}
            where {{ incremental_window() }}
        )
    {%- endif %}

),

renamed as (

    select
        -- ids
        {{ message_key }} as message_key,
        nullif(trim(record ->> 'message_id'), '') as message_id,
        uidvalidity,
        uid,
        record ->> 'mailbox' as mailbox,
        {{ pseudonymise("lower(record ->> 'sender_address')") }} as sender_key,

        -- sender
        lower(record ->> 'sender_domain') as sender_domain,
        coalesce(lower(record ->> 'sender_domain') like '%.go.id', false) as is_government_sender,
        (regexp_match(lower(record ->> 'sender_domain'), '([a-z]+)(kab|kota|prov)\.go\.id$'))[1] as sender_region_slug,
        (regexp_match(lower(record ->> 'sender_domain'), '([a-z]+)(kab|kota|prov)\.go\.id$'))[2] as sender_region_kind,

        -- attributes
        record ->> 'subject' as subject,
        (
            select string_agg(a.attachment ->> 'filename', ' | ' order by a.position)
            from jsonb_array_elements(source.record -> 'attachments') with ordinality as a (attachment, position)
        ) as attachment_names,
        jsonb_array_length(coalesce(record -> 'attachments', '[]'::jsonb)) as attachment_count,
        (
            select coalesce(sum((a.attachment ->> 'size')::bigint), 0)
            from jsonb_array_elements(source.record -> 'attachments') as a (attachment)
        ) as attachment_bytes,
        (record ->> 'size')::bigint as size_bytes,
        record ->> 'received_at_source' as received_at_source,

        -- booleans
        coalesce((record ->> 'is_spam')::boolean, false) as is_spam,

        -- timestamps (timestamptz)
        received_at,
        (record ->> 'sent_at')::timestamptz as sent_at,

        -- lineage
        _batch_id,
        _loaded_at,
        {{ pseudonym_key_id() }} as _pseudonym_key_id

    from source

),

deliveries as (

    -- a copy read again under a new UIDVALIDITY keeps its INTERNALDATE; a re-send has its own
    select
        message_key,
        count(distinct received_at) as deliveries,
        -- the latest load of any delivery: an incremental run's watermark
        max(_loaded_at) as last_loaded_at
    from renamed
    group by message_key

),

deduped as (

    select
        renamed.*,
        deliveries.deliveries,
        deliveries.last_loaded_at,
        row_number() over (
            partition by renamed.message_key
            order by renamed.received_at asc, renamed.uidvalidity desc, renamed.uid asc
        ) as delivery_rank
    from renamed
    inner join deliveries
        on renamed.message_key = deliveries.message_key

),

final as (

    select
        message_key,
        message_id,
        uidvalidity,
        uid,
        mailbox,
        sender_key,
        sender_domain,
        is_government_sender,
        sender_region_slug,
        sender_region_kind,
        subject,
        attachment_names,
        attachment_count,
        attachment_bytes,
        size_bytes,
        received_at_source,
        deliveries,
        is_spam,
        received_at,
        sent_at,
        _batch_id,
        -- the latest load of any delivery (a window function here would see the first delivery alone)
        last_loaded_at as _loaded_at,
        _pseudonym_key_id
    from deduped
    where delivery_rank = 1

)

select * from final
