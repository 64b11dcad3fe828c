{#- int_consultations__enriched: its sources, its references, and how it keeps the consultations
    of the sources other than WhatsApp (Deskpro, phone) by content. -#}

{#- The int_consultations__<source> models (the consultation contract), WhatsApp's among them. -#}
{% macro consultation_sources() -%}
    {%- do return(['int_consultations__deskpro', 'int_consultations__whatsapp', 'int_consultations__phone']) -%}
{%- endmacro %}


{#- What the enrichment depends on besides a consultation's own row: reference_fingerprint(). -#}
{% macro consultation_references() -%}
    {%- do return(whatsapp_conversation_references() + [
        ref('ref_regions'), ref('ref_region_aliases'), ref('ref_region_text_prefixes'),
        ref('ref_public_holidays'), ref('ref_segment_rules'), ref('ref_topics'), ref('ref_topic_aliases'),
        'holiday_kinds=' ~ var('service_hours_closed_holiday_kinds', ['national', 'cuti_bersama']),
        'days=' ~ var('service_hours_days', [1, 2, 3, 4, 5]),
        'hours=' ~ var('service_hours_start', '08:00') ~ '-' ~ var('service_hours_end', '17:00'),
    ]) -%}
{%- endmacro %}


{#- A hash of a consultation's row in the contract (every column its enrichment reads), as a uuid. -#}
{% macro consultation_content_hash(alias) -%}
    {%- set columns = [
        'consultation_id', 'source_system', 'source_record_id', 'user_key', 'channel_key', 'region_text',
        'institution_text', 'topic_text', 'agent_name', 'feedback_rating', 'is_escalated', 'created_at',
        'first_agent_reply_at', 'resolved_at',
    ] -%}
    md5(row({% for column in columns %}{{ alias }}.{{ column }}{{ ', ' if not loop.last }}{% endfor %})::text)::uuid
{%- endmacro %}


{#- Whether the model already has `_content_hash` (a warehouse built before it has not: its
    Deskpro and phone rows are then all recomputed once, and on_schema_change adds the column). -#}
{% macro consultations_have_content_hash() -%}
    {%- if execute and is_incremental() -%}
        {%- do return('_content_hash' in (adapter.get_columns_in_relation(this) | map(attribute='name') | list)) -%}
    {%- endif -%}
    {%- do return(false) -%}
{%- endmacro %}


{#- The condition on a source row of int_consultations__enriched (WhatsApp's aside) that it is to
    be enriched: the model holds no row with its id and content (`true` when it is not an
    incremental run, or the model has no `_content_hash` yet). One line, for the linter. -#}
{% macro consultation_not_kept(alias) -%}
    {%- if consultations_have_content_hash() -%}
        not exists (select from {{ this }} as kept where kept.consultation_id = {{ alias }}.consultation_id and kept._content_hash = {{ consultation_content_hash(alias) }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- The pre-hook of int_consultations__enriched: deletes each consultation of a source other than
    WhatsApp whose row in its source is gone or changed (another `_content_hash`: its ticket,
    person, agent, call or anything else it is made of changed; a ticket that left the
    consultations, a call a corrected CDR file dropped), and every one of them made with other
    references; the model's select then enriches the source rows the model no longer holds. -#}
{% macro delete_changed_consultations() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as kept
        where
            kept.source_system <> 'whatsapp'
            {%- if consultations_have_content_hash() %}
            and (
                kept._reference_fingerprint is distinct from {{ reference_fingerprint(consultation_references()) }}
                or not exists (
                    select 1
                    from (
                        {%- for model in consultation_sources() if model != 'int_consultations__whatsapp' %}
                        select
                            source_rows.consultation_id,
                            {{ consultation_content_hash('source_rows') }} as _content_hash
                        from {{ ref(model) }} as source_rows
                        {% if not loop.last %}union all{% endif %}
                        {%- endfor %}
                    ) as current_rows
                    where
                        current_rows.consultation_id = kept.consultation_id
                        and current_rows._content_hash = kept._content_hash
                )
            )
            {%- endif %}
    {%- endif -%}
{%- endmacro %}
