{#- Email Lapor reports per month (spam excluded, each Message-ID once, month of
    receipt in Asia/Jakarta) with the report's comparisons. Counted from the
    classified messages directly, so the test that the report types add up to
    this total compares two independent sums. -#}
with

messages as (

    select * from {{ ref('int_email_lapor__classified_messages') }}

),

months as (

    {{ month_spine('messages', 'received_month') }}

),

counts as (

    select
        received_month as month,
        count(*) as messages,
        count(*) filter (where is_classified) as classified_messages,
        count(*) filter (where not is_classified) as unclassified_messages
    from messages
    group by 1

),

monthly as (

    select
        months.month,
        coalesce(counts.messages, 0) as messages,
        coalesce(counts.classified_messages, 0) as classified_messages,
        coalesce(counts.unclassified_messages, 0) as unclassified_messages
    from months
    left join counts
        on months.month = counts.month

),

compared as (

    select
        cur.month,
        cur.messages,
        cur.classified_messages,
        cur.unclassified_messages,
        prev.messages as messages_prev_month,
        last_year.messages as messages_same_month_last_year,
        sum(cur.messages) over (
            partition by date_trunc('year', cur.month)
            order by cur.month
        )::bigint as messages_ytd
    from monthly as cur
    left join monthly as prev
        on prev.month = (cur.month - interval '1 month')::date
    left join monthly as last_year
        on last_year.month = (cur.month - interval '1 year')::date

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
        {{ change_ratio('messages', 'messages_prev_month') }} as mom_change,
        {{ change_ratio('messages', 'messages_same_month_last_year') }} as yoy_change

    from compared

)

select * from final
