{#- Incoming trunk calls to a hotline VDN, one row per UCID, from the CDR.

    With ring reporting on, CM writes a ring record per call: G = answered (duration
    = wait to answer), H = abandoned while ringing/queued (duration = wait to hang-up),
    I = busy. An answered call also has its call record (9, or C when conferenced) whose
    duration is the talk time and whose time is the end of the call. CM times are to
    the minute, so `answered_at`/`ended_at` are the minute and `arrived_at` is the
    answer minute less the wait.

    Incremental by UCID (docs/architecture.md, "Incremental models"): a run recomputes, from
    all their current records, the calls with a CDR record loaded in incremental_window() or
    a record in a file whose version changed in it (raw.avaya__files). A corrected file may
    drop a call: the pre-hook first deletes the calls of the files changed in the window, and
    those still in them come back. A changed seed, agent name or switch time zone, or a new
    pseudonym key, recomputes every call (phone_call_references()). -#}
{%- set references = phone_call_references() -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='ucid',
    pre_hook=[
        "{{ ensure_raw_index('avaya', 'avaya__cdr', 'avaya__cdr_source_file', \"record ->> 'source_file'\") }}",
        "{{ delete_calls_of_changed_files() }}",
    ],
) }}
with

{% if is_incremental() -%}
    changed_calls as (

        select ucid
        from {{ avaya_raw('avaya__cdr') }}
        where {{ incremental_window('_loaded_at', references) }}

        union

        -- every call of a file whose version changed: a corrected file may have dropped or changed it
        select cdr.ucid
        from {{ avaya_raw('avaya__cdr') }} as cdr
        where (cdr.record ->> 'source_file') in (
            select files.file_name
            from {{ avaya_raw('avaya__files') }} as files
            where {{ incremental_window('files._loaded_at', references) }}
        )

    ),

{% endif -%}
records as (

    select * from {{ ref('stg_avaya__cdr_records') }}
    where
        vdn is not null
        {%- if is_incremental() %}
            and ucid in (select changed_calls.ucid from changed_calls)
        {%- endif %}

),

ring as (

    select distinct on (ucid) *
    from records
    where cond_code in ('G', 'H', 'I')
    order by ucid asc, record_ended_at desc, cond_code asc

),

talk as (

    select distinct on (ucid) *
    from records
    where cond_code in ('9', 'C', 'J', 'T')
    order by ucid asc, record_ended_at desc, cond_code asc

),

vdns as (

    select * from {{ ref('avaya_vdns') }}

),

agents as (

    select * from {{ ref('int_phone__agents') }}

),

area_codes as (

    select * from {{ ref('avaya_area_codes') }}

),

account_codes as (

    select * from {{ ref('avaya_account_codes') }}

),

caller_types as (

    select * from {{ ref('avaya_caller_types') }}

),

regions as (

    select
        region_code,
        region_label
    from {{ ref('ref_regions') }}

),

joined as (

    select
        coalesce(ring.ucid, talk.ucid) as ucid,
        coalesce(ring.vdn, talk.vdn) as vdn,
        case
            when ring.cond_code = 'G' or (ring.ucid is null and talk.ucid is not null) then 'answered'
            when ring.cond_code = 'H' then 'abandoned'
            else 'busy'
        end as outcome,
        ring.cond_code as ring_cond_code,
        ring.record_ended_at as ring_ended_at,
        ring.duration_seconds as wait_seconds,
        talk.cond_code as talk_cond_code,
        talk.record_ended_at as talk_ended_at,
        talk.duration_seconds as talk_seconds,
        coalesce(talk.dialed_extension, ring.dialed_extension) as dialed_extension,
        talk.acct_code,
        coalesce(ring.calling_number_hash, talk.calling_number_hash) as calling_number_hash,
        coalesce(ring.calling_number_kind, talk.calling_number_kind) as calling_number_kind,
        coalesce(ring.calling_number_prefix, talk.calling_number_prefix) as calling_number_prefix,
        coalesce(ring.source_file, talk.source_file) as source_file,
        greatest(ring._loaded_at, talk._loaded_at) as _loaded_at
    from ring
    full outer join talk
        on ring.ucid = talk.ucid

),

with_area as (

    -- where the caller's landline is (informational: the area code names an area, not who called)
    select distinct on (joined.ucid)
        joined.*,
        area_codes.area_code as calling_area_code,
        area_codes.region_text as calling_area_text
    from joined
    left join area_codes
        on
            joined.calling_number_kind = 'landline'
            and joined.calling_number_prefix like area_codes.area_code || '%'
    order by joined.ucid, length(area_codes.area_code) desc nulls last

),

parsed as (

    -- the account code's parts: TT C RRRR, 2, 3, 5 or 7 digits
    select
        with_area.*,
        with_area.acct_code ~ '^[0-9]{2}([0-9]([0-9]{2}|[0-9]{4})?)?$' as acct_code_is_wellformed,
        case when with_area.acct_code ~ '^[0-9]{2}' then left(with_area.acct_code, 2) end as acct_topic_code,
        case when with_area.acct_code ~ '^[0-9]{3}' then substr(with_area.acct_code, 3, 1) end as acct_caller_type,
        case
            when with_area.acct_code !~ '^[0-9]{3}([0-9]{2}|[0-9]{4})$' then null
            when substr(with_area.acct_code, 4) ~ '^0+$' then null
            when length(with_area.acct_code) = 5 or substr(with_area.acct_code, 6, 2) = '00'
                then substr(with_area.acct_code, 4, 2)
            else substr(with_area.acct_code, 4, 2) || '.' || substr(with_area.acct_code, 6, 2)
        end as caller_region_code
    from with_area

),

final as (

    select
        -- ids
        parsed.ucid,
        parsed.vdn,
        vdns.acd,
        vdns.split,

        -- attributes
        coalesce(vdns.is_consultation, false) as is_consultation,
        parsed.outcome,
        coalesce(parsed.talk_cond_code = 'C', false) as is_conference,
        case when parsed.outcome = 'answered' then parsed.dialed_extension end as agent_logid,
        agents.agent_name,
        parsed.acct_code,
        case
            when parsed.acct_code is null then 'missing'
            when not parsed.acct_code_is_wellformed then 'malformed'
            when
                account_codes.acct_code is null
                or (parsed.acct_caller_type is not null and caller_types.caller_type is null)
                or (parsed.caller_region_code is not null and regions.region_code is null)
                then 'unknown_part'
            when parsed.acct_caller_type is null then 'topic_only'
            else 'complete'
        end as acct_code_status,
        coalesce(account_codes.topic, parsed.acct_topic_code) as topic,
        parsed.acct_caller_type as caller_type,
        caller_types.institution_text,
        parsed.caller_region_code,
        -- the label fct_consultations resolves; an unknown code stays visible as itself
        coalesce(regions.region_label, parsed.caller_region_code) as region_text,
        parsed.calling_number_hash,
        parsed.calling_number_kind,
        parsed.calling_area_code,
        parsed.calling_area_text,

        -- durations (seconds)
        parsed.wait_seconds,
        parsed.talk_seconds,

        -- timestamps (UTC, to the minute)
        case
            when parsed.ring_cond_code in ('G', 'H')
                then parsed.ring_ended_at - make_interval(secs => parsed.wait_seconds)
            when parsed.ring_cond_code = 'I' then parsed.ring_ended_at
            else parsed.talk_ended_at - make_interval(secs => parsed.talk_seconds)
        end as arrived_at,
        case
            when parsed.outcome = 'answered'
                then coalesce(parsed.ring_ended_at, parsed.talk_ended_at - make_interval(secs => parsed.talk_seconds))
        end as answered_at,
        case when parsed.outcome = 'abandoned' then parsed.ring_ended_at end as abandoned_at,
        case
            when parsed.outcome = 'answered' then coalesce(parsed.talk_ended_at, parsed.ring_ended_at)
            else parsed.ring_ended_at
        end as ended_at,

        -- lineage
        parsed.source_file,
        parsed._loaded_at,
        {{ pseudonym_key_id() }} as _pseudonym_key_id,
        {{ reference_fingerprint(references) }} as _reference_fingerprint

    from parsed
    left join vdns
        on parsed.vdn = vdns.vdn
    left join agents
        on parsed.dialed_extension = agents.agent_logid
    left join account_codes
        on parsed.acct_topic_code = account_codes.acct_code
    left join caller_types
        on parsed.acct_caller_type = caller_types.caller_type
    left join regions
        on parsed.caller_region_code = regions.region_code

)

select * from final
