{#- CMS split intervals with their split's role and the report month of the interval. -#}
with

intervals as (

    select * from {{ ref('stg_avaya__split_intervals') }}

),

splits as (

    select * from {{ ref('avaya_splits') }}

),

final as (

    select
        -- grain
        intervals.row_date,
        intervals.starttime,
        intervals.acd,
        intervals.split,
        intervals.interval_start_at,
        date_trunc('month', {{ to_report_time('intervals.interval_start_at') }})::date as month,

        -- attributes
        splits.split_name,
        coalesce(splits.is_consultation, false) as is_consultation,

        -- counts
        intervals.calls_offered,
        intervals.acd_calls,
        intervals.abandoned_calls,
        intervals.calls_within_service_level,

        -- durations (seconds)
        intervals.answer_seconds,
        intervals.talk_seconds,
        intervals.after_call_work_seconds,
        intervals.abandon_seconds,
        intervals.staffed_seconds

    from intervals
    left join splits
        on
            intervals.acd = splits.acd
            and intervals.split = splits.split

)

select * from final
