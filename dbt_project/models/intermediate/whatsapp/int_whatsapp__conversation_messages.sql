{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='wamid') }}
{#- Incremental by user: a run recomputes every message of each user with a message loaded
    in incremental_window() (macros/incremental.sql): a late message may join or split the
    user's conversations, whatever their dates. A user's wamids only grow, so
    delete+insert by wamid is exact. A changed menu seed or gap recomputes every user. -#}
{#- Inbound messages grouped into conversations, and classified.
    A conversation is a run of one user's messages with no silence of
    var('whatsapp_conversation_gap_hours', 24) hours or more: WhatsApp's customer-service
    window, which every user message reopens for 24 hours. Its id is the wamid of its
    first message. Interactive replies are classified by the option id the chatbot set
    (seed whatsapp_menu_options); an interactive reply with an unknown id is a menu
    selection without a label ("unclassified"). -#}
{%- set gap_hours = var('whatsapp_conversation_gap_hours', 24) -%}
with

messages as (

    select * from {{ ref('stg_whatsapp__messages') }}
    {% if is_incremental() -%}
        where user_key in (
            select changed.user_key
            from {{ ref('stg_whatsapp__messages') }} as changed
            where {{ incremental_window('changed._loaded_at', whatsapp_conversation_references()) }}
        )
    {%- endif %}

),

options as (

    select * from {{ ref('whatsapp_menu_options') }}

),

gaps as (

    select
        *,
        lag(sent_at) over (partition by user_key order by sent_at, wamid) as previous_sent_at
    from messages

),

numbered as (

    select
        *,
        sum(
            case
                when
                    previous_sent_at is null
                    or sent_at - previous_sent_at >= interval '{{ gap_hours }} hours' then 1
                else 0
            end
        ) over (partition by user_key order by sent_at, wamid rows unbounded preceding) as conversation_number
    from gaps

),

final as (

    select
        -- ids
        numbered.wamid,
        first_value(numbered.wamid) over (
            partition by numbered.user_key, numbered.conversation_number
            order by numbered.sent_at, numbered.wamid
        ) as conversation_id,
        numbered.user_key,
        numbered.context_wamid,

        -- attributes
        numbered.message_type,
        numbered.text_body,
        numbered.interactive_type,
        numbered.reply_id,
        numbered.reply_title,
        options.option_kind,
        case
            when options.option_kind = 'menu' then options.report_label
            when numbered.reply_id is not null and options.option_id is null then 'unclassified'
        end as menu_label,
        options.rating_value,
        numbered.origin,

        -- booleans
        coalesce(options.option_kind = 'menu', numbered.reply_id is not null) as is_menu_selection,
        coalesce(options.option_kind = 'handoff', false) as is_handoff,

        -- timestamps (UTC)
        numbered.sent_at,

        -- lineage (incremental runs)
        numbered._loaded_at,
        numbered._pseudonym_key_id,
        {{ reference_fingerprint(whatsapp_conversation_references()) }} as _reference_fingerprint

    from numbered
    left join options
        on numbered.reply_id = options.option_id

)

select * from final
