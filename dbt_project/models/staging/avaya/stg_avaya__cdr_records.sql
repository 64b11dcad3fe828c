with

source as (

    {{ avaya_current_rows('avaya__cdr') }}

),

digits as (

    select
        source.*,
        regexp_replace(coalesce(source.record ->> 'calling_num', ''), '\D', '', 'g') as calling_digits,
        regexp_replace(coalesce(source.record ->> 'dialed_num', ''), '\D', '', 'g') as dialed_digits
    from source

),

numbers as (

    select
        digits.*,
        case when length(digits.calling_digits) > 7 then {{ avaya_national_number('calling_digits') }} end
            as calling_national,
        case when length(digits.dialed_digits) > 7 then {{ avaya_national_number('dialed_digits') }} end
            as dialed_national
    from digits

),

renamed as (

    select
        -- ids
        md5(ucid || '|' || cond_code || '|' || call_date || '|' || call_time) as cdr_record_id,
        ucid,
        (record ->> 'ucid_recorded')::boolean as has_ucid,

        -- the record
        cond_code,
        {{ avaya_switch_time('call_date', 'call_time') }} as record_ended_at,
        (record ->> 'duration_seconds')::integer as duration_seconds,
        record ->> 'code_dial' as code_dial,
        record ->> 'code_used' as code_used,
        record ->> 'in_trk_code' as incoming_trunk_code,
        record ->> 'vdn' as vdn,
        record ->> 'in_crt_id' as incoming_circuit_id,
        nullif(btrim(record ->> 'acct_code'), '') as acct_code,  -- as keyed: parsed in int_phone__calls
        record ->> 'frl' as frl,

        -- parties: extensions and agent login ids in clear, outside numbers pseudonymised (keyed HMAC of E.164)
        case when length(dialed_digits) between 1 and 7 then dialed_digits end as dialed_extension,
        {{ pseudonymise(avaya_e164('dialed_national')) }} as dialed_number_hash,
        case when length(calling_digits) between 1 and 7 then calling_digits end as calling_extension,
        {{ pseudonymise(avaya_e164('calling_national')) }} as calling_number_hash,
        left(calling_national, 5) as calling_number_prefix,
        case
            when calling_digits = '' then 'withheld'
            when length(calling_digits) <= 7 then 'extension'
            when calling_national like '08%' then 'mobile'
            else 'landline'
        end as calling_number_kind,

        -- lineage
        {{ avaya_lineage_columns() }}

    from numbers

)

select * from renamed
