{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='wamid') }}
{#- Incremental by user: a run recomputes the messages of each user with a message loaded
    in incremental_window() (macros/incremental.sql) from the start of the conversation that
    holds (or precedes) the earliest of them: a late message may join or split the user's
    conversations from there on, whatever their dates; before it, a gap of 24 hours or more
    keeps everything as it was. A user's wamids only grow, so delete+insert by wamid is
    exact. A changed menu seed or gap recomputes every user. -#}
{#- Inbound messages grouped into conversations, and classified.
    A conversation is a run of one user's messages with no silence of
    var('whatsapp_conversation_gap_hours', 24) hours or more: WhatsApp's customer-service
    window, which every user message reopens for 24 hours. Its id is the wamid of its
    first message. Interactive replies are classified by the option id the chatbot set
    (seed whatsapp_menu_options); an interactive reply with an unknown id is a menu
    selection without a label ("unclassified"). -#}
{%- set gap_hours = var('whatsapp_conversation_gap_hours', 24) -%}
{#- incremental runs: per user with a message loaded in the window, the start of their
    conversation that holds (or precedes) the earliest such message; nothing before it changes -#}
{%- set since -%}
    select
        changed.user_key,
        coalesce(max(starts.sent_at), '-infinity'::timestamptz) as since
    from (
        select
            user_key,
            min(sent_at) as earliest
        from {{ ref('stg_whatsapp__messages') }}
        where {{ incremental_window('_loaded_at', whatsapp_conversation_references()) }}
        group by user_key
    ) as changed
    left join {{ this }} as starts
        on
            changed.user_key = starts.user_key
            and starts.wamid = starts.conversation_id
            and starts.sent_at <= changed.earliest
    group by changed.user_key
{%- endset %}
with

messages as (

    select stg.*
    from {{ ref('stg_whatsapp__messages') }} as stg
    {% if is_incremental() -%}
        inner join ({{ since }}) as since  -- noqa: ST05
            on
                stg.user_key = since.user_key
                and stg.sent_at >= since.since
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
