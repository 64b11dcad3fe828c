{#- Incoming trunk calls to a hotline VDN, one row per UCID, from the CDR.

    With ring reporting on, CM writes a ring record per call: G = answered (duration
    = wait to answer), H = abandoned while ringing/queued (duration = wait to hang-up),
    I = busy. An answered call also has its call record (9, or C when conferenced) whose
    duration is the talk time and whose time is the end of the call. CM times are to
    the minute, so `answered_at`/`ended_at` are the minute and `arrived_at` is the
    answer minute less the wait. -#}
with

records as (

    select * from {{ ref('stg_avaya__cdr_records') }}
    where vdn is not null

),

ring as (

    select distinct on (ucid) *
    from records
    where cond_code in ('G', 'H', 'I')
    order by ucid, record_ended_at desc, cond_code

),

talk as (

    select distinct on (ucid) *
    from records
    where cond_code in ('9', 'C', 'J', 'T')
    order by ucid, record_ended_at desc, cond_code

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
        coalesce(ring.source_file, talk.source_file) as source_file
    from ring
    full outer join talk
        on ring.ucid = talk.ucid

),

with_area as (

    select distinct on (joined.ucid)
        joined.*,
        area_codes.area_code,
        area_codes.region_text
    from joined
    left join area_codes
        on joined.calling_number_kind = 'landline'
        and joined.calling_number_prefix like area_codes.area_code || '%'
    order by joined.ucid, length(area_codes.area_code) desc nulls last

),

final as (

    select
        -- ids
        with_area.ucid,
        with_area.vdn,
        vdns.acd,
        vdns.split,

        -- attributes
        coalesce(vdns.is_consultation, false) as is_consultation,
        with_area.outcome,
        coalesce(with_area.talk_cond_code = 'C', false) as is_conference,
        case when with_area.outcome = 'answered' then with_area.dialed_extension end as agent_logid,
        agents.agent_name,
        with_area.acct_code,
        coalesce(account_codes.topic, with_area.acct_code) as topic,
        with_area.calling_number_hash,
        with_area.calling_number_kind,
        with_area.area_code,
        with_area.region_text,

        -- durations (seconds)
        with_area.wait_seconds,
        with_area.talk_seconds,

        -- timestamps (UTC, to the minute)
        case
            when with_area.ring_cond_code in ('G', 'H')
                then with_area.ring_ended_at - make_interval(secs => with_area.wait_seconds)
            when with_area.ring_cond_code = 'I' then with_area.ring_ended_at
            else with_area.talk_ended_at - make_interval(secs => with_area.talk_seconds)
        end as arrived_at,
        case
            when with_area.outcome = 'answered'
                then coalesce(with_area.ring_ended_at, with_area.talk_ended_at - make_interval(secs => with_area.talk_seconds))
        end as answered_at,
        case when with_area.outcome = 'abandoned' then with_area.ring_ended_at end as abandoned_at,
        case
            when with_area.outcome = 'answered' then coalesce(with_area.talk_ended_at, with_area.ring_ended_at)
            else with_area.ring_ended_at
        end as ended_at,

        -- lineage
        with_area.source_file

    from with_area
    left join vdns
        on with_area.vdn = vdns.vdn
    left join agents
        on with_area.dialed_extension = agents.agent_logid
    left join account_codes
        on with_area.acct_code = account_codes.acct_code

)

select * from final
