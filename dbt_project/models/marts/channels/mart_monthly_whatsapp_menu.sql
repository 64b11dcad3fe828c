{#- Chatbot main-menu selections per month and menu (the report's "Menu yang diakses").
    Every menu of the chatbot (seed whatsapp_menu_options) has a row every month (0 when
    not picked); selections of an option the seed does not know are counted under
    "unclassified", in the months they occur. The month is the Asia/Jakarta month of
    the conversation the selection belongs to. -#}
with

messages as (

    select * from {{ ref('int_whatsapp__conversation_messages') }}
    where is_menu_selection

),

conversations as (

    select * from {{ ref('int_whatsapp__conversations') }}

),

menus as (

    select
        report_label as menu_label,
        sort_order
    from {{ ref('whatsapp_menu_options') }}
    where option_kind = 'menu'

),

months as (

    {{ month_spine('conversations', 'started_month') }}

),

selections as (

    select
        conversations.started_month as month,
        messages.menu_label,
        count(*) as selections
    from messages
    inner join conversations
        on messages.conversation_id = conversations.conversation_id
    group by 1, 2

),

spine as (

    select
        months.month,
        menus.menu_label,
        menus.sort_order
    from months
    cross join menus
    union all
    select distinct
        selections.month,
        selections.menu_label,
        99 as sort_order
    from selections
    where selections.menu_label not in (select menus.menu_label from menus)

),

monthly as (

    select
        spine.month,
        spine.menu_label,
        spine.sort_order,
        coalesce(selections.selections, 0) as selections
    from spine
    left join selections
        on
            spine.month = selections.month
            and spine.menu_label = selections.menu_label

),

compared as (

    {{ monthly_comparisons('monthly', ['selections'], partition_by=['menu_label'], ytd_cast='bigint') }}

),

final as (

    select
        -- grain
        month,
        menu_label,
        sort_order,

        -- counts
        selections,
        (sum(selections) over (partition by month))::bigint as month_selections,
        selections_prev_month,
        selections_same_month_last_year,
        selections_ytd,

        -- shares (ratios; rounded only when presented)
        {{ share_ratio('selections', 'sum(selections) over (partition by month)') }} as share_of_month

    from compared

)

select * from final
