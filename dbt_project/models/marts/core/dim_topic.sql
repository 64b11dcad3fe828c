with

topics as (

    select * from {{ ref('ref_topics') }}

),

final as (

    select
        topic_name,
        description,
        is_escalation_topic,
        sort_order
    from topics

)

select * from final
