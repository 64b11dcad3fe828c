with

source as (

    {{ avaya_current_rows('avaya__hsplit') }}

),

renamed as (

    select
        -- grain
        row_date,
        starttime,
        acd,
        split,
        (record ->> 'intrvl')::integer as interval_minutes,
        {{ avaya_switch_time('row_date', 'starttime') }} as interval_start_at,

        -- counts (call-based items count in the interval the call completed)
        (record ->> 'callsoffered')::integer as calls_offered,
        (record ->> 'acdcalls')::integer as acd_calls,
        (record ->> 'abncalls')::integer as abandoned_calls,
        (record ->> 'holdcalls')::integer as held_calls,
        (record ->> 'transferred')::integer as transferred_calls,
        (record ->> 'acceptable')::integer as calls_within_service_level,

        -- durations (seconds)
        (record ->> 'anstime')::bigint as answer_seconds,
        (record ->> 'acdtime')::bigint as talk_seconds,
        (record ->> 'acwtime')::bigint as after_call_work_seconds,
        (record ->> 'abntime')::bigint as abandon_seconds,
        (record ->> 'i_stafftime')::bigint as staffed_seconds,
        (record ->> 'servicelevel')::integer as service_level_seconds,

        -- lineage
        {{ avaya_lineage_columns() }}

    from source

)

select * from renamed
