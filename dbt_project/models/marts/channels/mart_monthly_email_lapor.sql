{#- Email Lapor reports per month (spam excluded, each Message-ID once, month of
    receipt in Asia/Jakarta) with the report's comparisons. Counted from the
    classified messages directly, so the test that the report types add up to
    this total compares two independent sums. -#}
with

messages as (

    select * from {{ ref('int_email_lapor__classified_messages') }}

),

monthly as (

    {{ monthly_counts('messages', 'received_month', {
        'messages': 'count(*)',
        'classified_messages': 'count(*) filter (where is_classified)',
        'unclassified_messages': 'count(*) filter (where not is_classified)',
    }) }}

),

compared as (

    {{ monthly_comparisons('monthly', ['messages'], ytd_cast='bigint') }}

),

final as (

    select
        -- grain
        month,

        -- counts
        messages,
        classified_messages,
        unclassified_messages,
        messages_prev_month,
        messages_same_month_last_year,
        messages_ytd,

        -- changes (ratios; rounded only when presented)
        messages_mom_change as mom_change,
        messages_yoy_change as yoy_change

    from compared

)

select * from final
