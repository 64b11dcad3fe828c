with

source as (

    {{ avaya_current_rows('avaya__hagent') }}

),

renamed as (

    select
        -- grain
        row_date,
        starttime,
        acd,
        split,
        logid as agent_logid,
        (record ->> 'intrvl')::integer as interval_minutes,
        {{ avaya_switch_time('row_date', 'starttime') }} as interval_start_at,

        -- attributes
        nullif(trim(record ->> 'agent_name'), '') as agent_name,

        -- counts
        (record ->> 'acdcalls')::integer as acd_calls,
        (record ->> 'holdcalls')::integer as held_calls,
        (record ->> 'transferred')::integer as transferred_calls,

        -- durations (seconds)
        (record ->> 'ringtime')::bigint as ring_seconds,
        (record ->> 'acdtime')::bigint as talk_seconds,
        (record ->> 'acwtime')::bigint as after_call_work_seconds,
        (record ->> 'holdtime')::bigint as hold_seconds,
        (record ->> 'ti_stafftime')::bigint as staffed_seconds,
        (record ->> 'ti_availtime')::bigint as available_seconds,
        (record ->> 'ti_auxtime')::bigint as aux_seconds,

        -- lineage
        {{ avaya_lineage_columns() }}

    from source

)

select * from renamed
