{%- set references = consultation_references() -%}
-- depends_on: {{ ref('int_whatsapp__conversations') }}
-- depends_on: {{ ref('int_whatsapp__outbound_messages') }}
-- depends_on: {{ ref('stg_whatsapp__statuses') }}
{{ config(
    materialized='incremental',
    incremental_strategy='suffix_replace',
    unique_key=['source_system', 'user_key'],
    meta={'suffix_from': 'created_at', 'suffix_where': "source_system = 'whatsapp'"},
    on_schema_change='append_new_columns',
    pre_hook=[
        "{{ delete_rows_of_another_pseudonym_key() }}",
        "{{ delete_changed_consultations() }}",
    ],
) }}
{#- Incremental for WhatsApp (the large source), by user and bounded in time: a run recomputes
    the consultations of each user with a conversation (int_whatsapp__conversations) or an
    outbound message (a status event: whatsapp_outbound_changes()) loaded in incremental_window(),
    from the start of the conversation before the user's conversation holding the earliest of
    them (a conversation's start; an outbound message's earliest status event), or from the
    first one when there is none before. int_whatsapp__conversations recomputes a user from the
    conversation (as it was) started at or before the earliest new message; seen from the
    conversations as they are now, that is this one conversation earlier (a new message may
    have started a new conversation, changing the previous one's outbound messages, whose load
    time stays old). A consultation's created_at is its conversation's started_at, and its
    enrichment depends on its own row only. Strategy suffix_replace by (source_system, user_key):
    the user's WhatsApp consultations from that start on are replaced (a consultation merged into
    an earlier one is deleted). Deskpro and phone consultations are kept by content: their models
    are views over the raw data without one load time (a Deskpro consultation is made of its
    ticket, its person and its agent; a ticket may leave the consultations, a corrected CDR file
    drop a call), so each run reads them whole, which is cheap, and enriches only the rows the
    model does not hold with the same `_content_hash`; the pre-hook first deletes the rows whose
    source row is gone or changed (delete_changed_consultations(), macros/consultations.sql), and
    these rows are only inserted (meta suffix_where). A changed reference seed recomputes
    everything (reference_fingerprint(), macros/incremental.sql). -#}
{#- Every consultation of every channel, one row each, with what the user typed and the
    enrichment from it. Engineers only: it keeps the typed texts (region, institution,
    topic), which may hold anything, people's names included. fct_consultations is this
    model without them (what BI may read).
    Each source contributes an int_consultations__<source> model with exactly these
    columns (the consultation contract):
      consultation_id, source_system, source_record_id, user_key,
      channel_key, region_text, institution_text, topic_text, agent_name,
      feedback_rating, is_escalated, created_at, first_agent_reply_at, resolved_at
    The enrichment below (region, time zone, service hours, segment, topic) applies to
    every source of the list, from the reference seeds (docs/metrics.md).
    Adding a source: the unit tests of this model mock every parent, so also add
    `- {input: ref('int_consultations__<source>'), rows: []}` to them (int_consultations__enriched.yml). -#}
{%- set sources = consultation_sources() -%}
with

{% if is_incremental() -%}
    whatsapp_changed as (

        -- per user with a conversation or an outbound message loaded in the window: the earliest time it may change
        select
            user_key,
            min(changed_at) as changed_at
        from (
            select
                user_key,
                started_at as changed_at
            from {{ ref('int_whatsapp__conversations') }}
            where {{ incremental_window('_loaded_at', references) }}
            union all
            select
                user_key,
                changed_at
            from ({{ whatsapp_outbound_changes(references) }}) as outbound_changes
            where is_conversational
        ) as changes
        group by user_key

    ),

    whatsapp_recomputed_from as (

        -- the start of the conversation before the one holding it: the second latest start at or before it
        select
            whatsapp_changed.user_key,
            coalesce(
                (array_agg(conversations.started_at order by conversations.started_at desc))[2],
                '-infinity'::timestamptz
            ) as created_at
        from whatsapp_changed
        left join {{ ref('int_whatsapp__conversations') }} as conversations
            on
                whatsapp_changed.user_key = conversations.user_key
                and whatsapp_changed.changed_at >= conversations.started_at
        group by whatsapp_changed.user_key

    ),

{% endif -%}
unioned as (

    {% for model in sources -%}
        select
            consultations.consultation_id,
            consultations.source_system,
            consultations.source_record_id,
            consultations.user_key,
            consultations.channel_key,
            consultations.region_text,
            consultations.institution_text,
            consultations.topic_text,
            consultations.agent_name,
            consultations.feedback_rating,
            consultations.is_escalated,
            consultations.created_at,
            consultations.first_agent_reply_at,
            consultations.resolved_at,
            {{ 'consultations._loaded_at' if model == 'int_consultations__whatsapp' else 'null::timestamptz' }}
                as _loaded_at,
            {{ 'null::uuid' if model == 'int_consultations__whatsapp' else consultation_content_hash('consultations') }}
                as _content_hash
        from {{ ref(model) }} as consultations
        {% if model == 'int_consultations__whatsapp' and is_incremental() -%}
            inner join whatsapp_recomputed_from
                on
                    consultations.user_key = whatsapp_recomputed_from.user_key
                    and consultations.created_at >= whatsapp_recomputed_from.created_at
        {%- endif %}
        {% if model != 'int_consultations__whatsapp' -%}
            where {{ consultation_not_kept('consultations') }}
        {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

regions as (

    select * from {{ ref('ref_regions') }}

),

region_keys as (

    -- what a typed region may equal once cleaned and stripped: a short name or an alias
    select
        match_key as region_key,
        region_code,
        region_kind
    from regions
    union
    select
        aliases.alias,
        aliases.region_code,
        regions.region_kind
    from {{ ref('ref_region_aliases') }} as aliases
    inner join regions
        on aliases.region_code = regions.region_code

),

prefixes as (

    select
        word,
        nullif(announces_kind, '') as announces_kind
    from {{ ref('ref_region_text_prefixes') }}

),

prefix_pattern as (

    -- a leading run of prefix words, each followed by a space (so never the last word)
    select '^((?:(?:' || string_agg(word, '|' order by length(word) desc, word) || ') )+)' as pattern
    from prefixes

),

holidays as (

    select holiday_date
    from {{ ref('ref_public_holidays') }}
    where holiday_kind in (
        {{ sql_list(var('service_hours_closed_holiday_kinds', ['national', 'cuti_bersama'])) }}
    )

),

segment_rules as (

    select * from {{ ref('ref_segment_rules') }}

),

topic_keys as (

    select
        btrim(regexp_replace(lower(topic_name), '[^a-z0-9]+', ' ', 'g')) as topic_key,
        topic_name
    from {{ ref('ref_topics') }}
    union
    select
        alias,
        topic_name
    from {{ ref('ref_topic_aliases') }}

),

cleaned as (

    -- lower case, every run of non-alphanumerics one space, trimmed
    select
        unioned.*,
        btrim(regexp_replace(lower(coalesce(unioned.region_text, '')), '[^a-z0-9]+', ' ', 'g')) as region_text_clean,
        {{ segment_text_clean('institution_text') }} as institution_text_clean,
        btrim(regexp_replace(lower(coalesce(unioned.topic_text, '')), '[^a-z0-9]+', ' ', 'g')) as topic_text_clean
    from unioned

),

region_parsed as (

    select
        cleaned.consultation_id,
        coalesce(substring(cleaned.region_text_clean from prefix_pattern.pattern), '') as region_prefix,
        regexp_replace(cleaned.region_text_clean, prefix_pattern.pattern, '') as region_core
    from cleaned
    cross join prefix_pattern

),

region_kind_typed as (

    -- the kind of region the prefix words announce ("pemkab" -> kab); conflicting words resolve nothing
    select
        region_parsed.consultation_id,
        case count(distinct prefixes.announces_kind)
            when 0 then null
            when 1 then min(prefixes.announces_kind)
            else 'conflict'
        end as typed_kind
    from region_parsed
    left join lateral unnest(string_to_array(btrim(region_parsed.region_prefix), ' ')) as words (word)
        on true
    left join prefixes
        on
            words.word = prefixes.word
            and prefixes.announces_kind is not null
    group by region_parsed.consultation_id

),

region_matched as (

    -- exactly one region of the announced kind, or none: ambiguous text is never guessed
    select
        region_parsed.consultation_id,
        case when count(distinct region_keys.region_code) = 1 then min(region_keys.region_code) end as region_code
    from region_parsed
    inner join region_kind_typed
        on region_parsed.consultation_id = region_kind_typed.consultation_id
    left join region_keys
        on
            region_parsed.region_core = region_keys.region_key
            and region_kind_typed.typed_kind is distinct from 'conflict'
            and (region_kind_typed.typed_kind is null or region_kind_typed.typed_kind = region_keys.region_kind)
    group by region_parsed.consultation_id

),

segment_matched as (

    -- the first rule (by priority) whose phrase the institution contains; nothing usable -> unclassified
    select
        cleaned.consultation_id,
        {{ segment_of('cleaned.institution_text_clean') }} as segment,
        rule.rule_id as segment_rule_id
    from cleaned
    {{ segment_rule_join('cleaned.institution_text_clean') }}

),

enriched as (

    select
        cleaned.*,
        region_matched.region_code,
        regions.region_label,
        regions.region_kind,
        regions.local_government_code,
        local_governments.region_label as local_government_name,
        regions.timezone,
        regions.tz_name,
        (cleaned.created_at at time zone regions.tz_name) as created_at_user_local,
        segment_matched.segment,
        segment_matched.segment_rule_id,
        topic_keys.topic_name as topic
    from cleaned
    inner join region_matched
        on cleaned.consultation_id = region_matched.consultation_id
    inner join segment_matched
        on cleaned.consultation_id = segment_matched.consultation_id
    left join regions
        on region_matched.region_code = regions.region_code
    left join regions as local_governments
        on regions.local_government_code = local_governments.region_code
    left join topic_keys
        on cleaned.topic_text_clean = topic_keys.topic_key

),

final as (

    select
        -- ids
        consultation_id,
        source_system,
        source_record_id,
        user_key,

        -- attributes (as the source gives them)
        channel_key,
        region_text,
        institution_text,
        topic_text,
        agent_name,
        feedback_rating,
        is_escalated,

        -- enrichment: the user's region and time zone (null when the typed region does not resolve)
        region_text_clean,
        region_code,
        region_label,
        region_kind,
        local_government_code,
        local_government_name,
        timezone,
        region_code is not null as is_timezone_identified,

        -- enrichment: segment and topic
        segment,
        segment_rule_id,
        topic,

        -- timestamps: UTC, then wall-clock in the report's time zone and in the user's
        created_at,
        {{ to_report_time('created_at') }} as created_at_local,
        date_trunc('month', {{ to_report_time('created_at') }})::date as created_month,
        created_at_user_local,
        first_agent_reply_at,
        resolved_at,

        -- service hours in the user's own time zone; null when the time zone is unknown
        case
            when timezone is null then null
            else extract(isodow from created_at_user_local) in (
                {{ sql_list(var('service_hours_days', [1, 2, 3, 4, 5])) }}
            )
            and created_at_user_local::time >= '{{ var("service_hours_start", "08:00") }}'::time
            and created_at_user_local::time < '{{ var("service_hours_end", "17:00") }}'::time
            and not exists (
                select 1 from holidays
                where holidays.holiday_date = enriched.created_at_user_local::date
            )
        end as is_within_service_hours,

        -- durations: calendar minutes, and minutes of the contact center's working hours
        (extract(epoch from first_agent_reply_at - created_at) / 60.0)::double precision as minutes_to_first_reply,
        (extract(epoch from resolved_at - created_at) / 60.0)::double precision as minutes_to_resolution,
        {{ business_minutes('created_at', 'first_agent_reply_at') }} as business_minutes_to_first_reply,
        {{ business_minutes('created_at', 'resolved_at') }} as business_minutes_to_resolution,

        -- lineage (incremental runs): the WhatsApp conversation's latest load (null for the other
        -- sources), the hash of the source row of the others (null for WhatsApp)
        _loaded_at,
        _content_hash,
        {{ pseudonym_key_id() }} as _pseudonym_key_id,
        {{ reference_fingerprint(references) }} as _reference_fingerprint

    from enriched

)

select * from final
