{#- Consultations of local-government (Pemda) users per month and local government,
    for the month and the year to date, with ranks and the most frequent topics. -#}
with

consultations as (

    select * from {{ ref('fct_consultations') }}
    where
        segment = 'Pemda'
        and local_government_code is not null

),

regions as (

    select * from {{ ref('dim_region') }}

),

months as (

    select generate_series(
        (select min(created_month) from {{ ref('fct_consultations') }}),
        (select max(created_month) from {{ ref('fct_consultations') }}),
        interval '1 month'
    )::date as month

),

monthly as (

    select
        created_month as month,
        local_government_code,
        count(*) as consultations
    from consultations
    group by 1, 2

),

spine as (

    -- every local government with a consultation earlier in the year, for each month
    select distinct
        months.month,
        monthly.local_government_code
    from months
    inner join monthly
        on
            date_trunc('year', monthly.month) = date_trunc('year', months.month)
            and months.month >= monthly.month

),

spine_counts as (

    select
        spine.month,
        spine.local_government_code,
        coalesce(monthly.consultations, 0) as consultations
    from spine
    left join monthly
        on
            spine.month = monthly.month
            and spine.local_government_code = monthly.local_government_code

),

counted as (

    {{ monthly_comparisons('spine_counts', [], partition_by=['local_government_code'], ytd=['consultations']) }}

),

topic_counts as (

    -- per month and local government, and per year to date, topics by frequency
    select
        months.month,
        consultations.local_government_code,
        consultations.topic,
        count(*) filter (where consultations.created_month = months.month) as month_n,
        count(*) as ytd_n
    from months
    inner join consultations
        on
            date_trunc('year', consultations.created_month) = date_trunc('year', months.month)
            and months.month >= consultations.created_month
    where consultations.topic is not null
    group by 1, 2, 3

),

top_topics as (

    select
        month,
        local_government_code,
        string_agg(topic, ', ' order by month_n desc, topic asc) filter (where month_rank <= 3 and month_n > 0)
            as top_topics_month,
        string_agg(topic, ', ' order by ytd_n desc, topic asc) filter (where ytd_rank <= 3) as top_topics_ytd
    from (
        select
            topic_counts.*,
            row_number()
                over (
                    partition by topic_counts.month, topic_counts.local_government_code
                    order by topic_counts.month_n desc, topic_counts.topic asc
                )
                as month_rank,
            row_number()
                over (
                    partition by topic_counts.month, topic_counts.local_government_code
                    order by topic_counts.ytd_n desc, topic_counts.topic asc
                )
                as ytd_rank
        from topic_counts
    ) as ranked
    group by 1, 2

),

final as (

    select
        -- grain
        counted.month,
        counted.local_government_code,

        -- attributes
        regions.region_label as local_government_name,
        regions.timezone,

        -- the month
        counted.consultations,
        case
            when counted.consultations > 0 then
                rank() over (partition by counted.month order by counted.consultations desc)
        end as rank_month,
        case
            when counted.consultations > 0 then
                row_number()
                    over (partition by counted.month order by counted.consultations desc, regions.region_label asc)
        end as position_month,
        top_topics.top_topics_month,

        -- the year to date
        counted.consultations_ytd,
        rank() over (partition by counted.month order by counted.consultations_ytd desc) as rank_ytd,
        row_number() over (
            partition by counted.month order by counted.consultations_ytd desc, regions.region_label asc
        ) as position_ytd,
        top_topics.top_topics_ytd

    from counted
    inner join regions
        on counted.local_government_code = regions.region_code
    left join top_topics
        on
            counted.month = top_topics.month
            and counted.local_government_code = top_topics.local_government_code

)

select * from final
