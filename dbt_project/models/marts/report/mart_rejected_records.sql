{#- Every OPEN rejection of the loader and why (raw._quarantine): one row per distinct
    rejected record whose key has not loaded valid since, for the report's "Catatan
    data" and for staff to fix at the source (a register row names its workbook,
    sheet and row). `action` says whether the record was kept out (rejected) or
    loaded with the invalid field set to null (nulled). The key of a source whose keys
    are personal data (var personal_record_key_sources: a WhatsApp wamid is base64
    holding the phone number) is shown as its pseudonym (keyed HMAC); record_hash
    finds the record in raw._quarantine. -#}
with

quarantine as (

    select * from {{ ref('stg_pipeline__quarantine') }}

),

final as (

    select
        -- grain
        source,
        stream,
        case
            when source in ({{ sql_list(var('personal_record_key_sources', ['whatsapp'])) }})
                then 'pseudonym:' || {{ pseudonymise('record_key') }}
            else record_key
        end as record_key,
        reason,
        record_hash,
        action,

        -- how often, since when
        times_seen,
        first_seen_at,
        last_seen_at

    from quarantine
    where is_open

)

select * from final
