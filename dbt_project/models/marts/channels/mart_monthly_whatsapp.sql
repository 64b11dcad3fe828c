{#- WhatsApp per month, one row per month and metric, with the report's comparisons:
      whatsapp_conversations    conversations started in the month
      whatsapp_consultations    ... in which the user chose "Chat Agent"
      chatbot_users             ... in which the user did not (the chatbot alone)
      chatbot_menu_selections   main-menu picks in the month's conversations
      whatsapp_blasts           template broadcasts sent in the month
    Months are Asia/Jakarta months (of a conversation's first user message, of a
    blast's first status). Months without activity count 0 (month spine); before
    the data begins there is no previous value (null), never 0. -#}
{%- set metrics = ['whatsapp_conversations', 'whatsapp_consultations', 'chatbot_users',
                   'chatbot_menu_selections', 'whatsapp_blasts'] -%}
with

conversations as (

    select * from {{ ref('int_whatsapp__conversations') }}

),

blasts as (

    select * from {{ ref('int_whatsapp__blasts') }}

),

months as (

    select generate_series(
        least((select min(started_month) from conversations), (select min(month) from blasts)),
        greatest((select max(started_month) from conversations), (select max(month) from blasts)),
        interval '1 month'
    )::date as month

),

conversation_counts as (

    select
        started_month as month,
        count(*) as whatsapp_conversations,
        count(*) filter (where is_consultation) as whatsapp_consultations,
        count(*) filter (where not is_consultation) as chatbot_users,
        sum(menu_selections) as chatbot_menu_selections
    from conversations
    group by started_month

),

blast_counts as (

    select
        month,
        count(*) as whatsapp_blasts
    from blasts
    group by month

),

wide as (

    select
        months.month,
        coalesce(conversation_counts.whatsapp_conversations, 0) as whatsapp_conversations,
        coalesce(conversation_counts.whatsapp_consultations, 0) as whatsapp_consultations,
        coalesce(conversation_counts.chatbot_users, 0) as chatbot_users,
        coalesce(conversation_counts.chatbot_menu_selections, 0) as chatbot_menu_selections,
        coalesce(blast_counts.whatsapp_blasts, 0) as whatsapp_blasts
    from months
    left join conversation_counts
        on months.month = conversation_counts.month
    left join blast_counts
        on months.month = blast_counts.month

),

monthly as (

    {% for m in metrics -%}
        select
            month,
            '{{ m }}' as metric_key,
            {{ m }}::bigint as value
        from wide
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

compared as (

    {{ monthly_comparisons('monthly', ['value'], partition_by=['metric_key'], ytd_cast='bigint') }}

),

final as (

    select
        -- grain
        month,
        metric_key,

        -- counts
        value,
        value_prev_month,
        value_same_month_last_year,
        value_ytd,

        -- changes (ratios; rounded only when presented)
        value_mom_change as mom_change,
        value_yoy_change as yoy_change

    from compared

)

select * from final
