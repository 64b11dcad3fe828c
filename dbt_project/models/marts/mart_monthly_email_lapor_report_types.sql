{#- Email Lapor reports per month and report type, 'unclassified' included, with
    the report's comparisons. A month without messages of a type counts 0 (the
    month x type spine); before the data begins there is no value (null). -#}
with

messages as (

    select * from {{ ref('int_email_lapor__classified_messages') }}

),

report_types as (

    select
        report_type_key,
        min(report_type) as report_type,
        min(priority) as sort_order
    from {{ ref('email_lapor_report_types') }}
    group by report_type_key

    union all

    select 'unclassified', 'unclassified', null

),

months as (

    {{ month_spine('messages', 'received_month') }}

),

spine as (

    select months.month, report_types.report_type_key
    from months
    cross join report_types

),

counts as (

    select received_month as month, report_type_key, count(*) as messages
    from messages
    group by 1, 2

),

monthly as (

    select
        spine.month,
        spine.report_type_key,
        coalesce(counts.messages, 0) as messages
    from spine
    left join counts
        on spine.month = counts.month
        and spine.report_type_key = counts.report_type_key

),

compared as (

    select
        cur.month,
        cur.report_type_key,
        cur.messages,
        prev.messages as messages_prev_month,
        last_year.messages as messages_same_month_last_year,
        sum(cur.messages) over (
            partition by cur.report_type_key, date_trunc('year', cur.month)
            order by cur.month
        )::bigint as messages_ytd
    from monthly as cur
    left join monthly as prev
        on prev.report_type_key = cur.report_type_key
        and prev.month = (cur.month - interval '1 month')::date
    left join monthly as last_year
        on last_year.report_type_key = cur.report_type_key
        and last_year.month = (cur.month - interval '1 year')::date

),

final as (

    select
        -- grain
        compared.month,
        compared.report_type_key,
        report_types.report_type,
        report_types.sort_order,

        -- counts
        compared.messages,
        compared.messages_prev_month,
        compared.messages_same_month_last_year,
        compared.messages_ytd,

        -- changes (ratios; rounded only when presented)
        {{ change_ratio('compared.messages', 'compared.messages_prev_month') }} as mom_change,
        {{ change_ratio('compared.messages', 'compared.messages_same_month_last_year') }} as yoy_change

    from compared
    inner join report_types
        on compared.report_type_key = report_types.report_type_key

)

select * from final
