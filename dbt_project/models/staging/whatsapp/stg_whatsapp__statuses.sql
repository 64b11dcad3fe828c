{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['wamid', 'status', 'status_at'],
) }}
{#- Incremental (one row per raw row, the raw key): a run reads what was loaded since the
    last one, minus var('incremental_lookback_days'); macros/incremental.sql. -#}
with

source as (

    select *
    from
        {{ raw_source('whatsapp', 'whatsapp__statuses', {
            'wamid': 'text', 'status': 'text', 'status_at': 'timestamptz'
        }) }}
    {% if is_incremental() -%}
        where {{ incremental_window() }}
    {%- endif %}

),

typed as (

    select
        *,
        case
            when (record ->> 'biz_opaque_callback_data') is json object
                then (record ->> 'biz_opaque_callback_data')::jsonb
        end as callback
    from source

),

renamed as (

    select
        -- ids
        wamid,
        -- the recipient as stg_whatsapp__messages keys users: phone number, else BSUID
        'whatsapp-'
        || {{ pseudonymise("coalesce(record ->> 'recipient_id', record ->> 'recipient_user_id')") }} as recipient_key,

        -- attributes
        status,
        {{ whatsapp_status_rank('status') }} as status_rank,
        record ->> 'biz_opaque_callback_data' as callback_data,
        callback ->> 'kind' as sender_kind,
        nullif(trim(callback ->> 'agent'), '') as agent_name,
        callback ->> 'step' as bot_step,
        callback ->> 'blast_id' as blast_id,
        callback ->> 'subject' as blast_subject,
        callback ->> 'template' as template_name,
        nullif(trim(callback ->> 'topic'), '') as wrapup_topic,
        case
            when lower(trim(callback ->> 'escalated')) in ('1', 'true', 'yes', 'y', 'ya') then true
            when lower(trim(callback ->> 'escalated')) in ('0', 'false', 'no', 'n', 'tidak') then false
        end as is_escalated,
        record -> 'pricing' ->> 'category' as pricing_category,
        (record -> 'errors' -> 0 ->> 'code')::integer as error_code,
        record -> 'errors' -> 0 ->> 'title' as error_title,

        -- lineage
        record ->> '_origin' as origin,
        nullif(record ->> '_received_at', '')::timestamptz as received_at,
        _batch_id,
        _loaded_at,
        {{ pseudonym_key_id() }} as _pseudonym_key_id,

        -- timestamps (UTC)
        status_at

    from typed

)

select * from renamed
