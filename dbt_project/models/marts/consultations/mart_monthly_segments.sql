{#- Consultations per month and user segment, with shares and the year to date.
    The report's "Pengguna Layanan" counts consultations (1469 = the month's tickets),
    not distinct people; `users` gives the distinct users as well. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}

),

segments as (

    select * from {{ ref('dim_user_segment') }}

),

month_totals as (

    {{ monthly_counts('consultations', 'created_month', {'month_consultations': 'count(*)'}) }}

),

monthly as (

    select
        segment_counts.*,
        month_totals.month_consultations
    from (
        {{ monthly_counts('consultations', 'created_month', {
            'consultations': 'count(*)',
            'users': 'count(distinct user_key)',
        }, across='segments', keys={'segment_name': 'segment'}) }}
    ) as segment_counts
    inner join month_totals
        on segment_counts.month = month_totals.month

),

compared as (

    {{ monthly_comparisons('monthly', [], partition_by=['segment_name'],
                           ytd=['consultations', 'month_consultations']) }}

),

with_totals as (

    select
        compared.*,
        sum(compared.consultations) over (partition by compared.month) as month_segment_sum,
        sum(compared.consultations) filter (where compared.is_reported)
            over (partition by compared.month)
            as month_reported_sum
    from compared

),

final as (

    select
        -- grain
        month,
        segment_name,

        -- attributes
        segment_key,
        is_reported,
        sort_order,

        -- the month
        consultations,
        users,
        {{ share_ratio('consultations', 'month_consultations') }} as share_of_month,

        -- the year to date
        consultations_ytd,
        {{ share_ratio('consultations_ytd', 'month_consultations_ytd') }} as share_of_year_to_date,

        -- checks: the segments add up to the month's consultations
        month_consultations,
        month_segment_sum,
        month_reported_sum

    from with_totals

)

select * from final
