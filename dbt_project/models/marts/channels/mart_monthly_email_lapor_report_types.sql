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

    select
        'unclassified' as report_type_key,
        'unclassified' as report_type,
        null as sort_order

),

monthly as (

    {{ monthly_counts('messages', 'received_month', {'messages': 'count(*)'},
                      across='report_types', keys={'report_type_key': 'report_type_key'}) }}

),

compared as (

    {{ monthly_comparisons('monthly', ['messages'], partition_by=['report_type_key'], ytd_cast='bigint') }}

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
        compared.messages_mom_change as mom_change,
        compared.messages_yoy_change as yoy_change

    from compared
    inner join report_types
        on compared.report_type_key = report_types.report_type_key

)

select * from final
