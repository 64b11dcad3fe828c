{% call staging_model('deskpro', 'deskpro__tickets', {'id': 'bigint', 'date_status': 'timestamptz'}) -%}
        -- ids
        id as ticket_id,
        record ->> 'ref' as ticket_ref,
        (record ->> 'department')::bigint as department_id,
        (record ->> 'person')::bigint as person_id,
        (record ->> 'organization')::bigint as organization_id,
        (record ->> 'agent')::bigint as agent_id,
        (record ->> 'linked_chat')::bigint as linked_chat_id,

        -- attributes
        record ->> 'status' as status,
        record ->> 'hidden_status' as hidden_status,
        record ->> 'creation_system' as creation_system,
        nullif(trim(record -> 'fields' -> '{{ var("deskpro_region_field_id") }}' ->> 'value'), '') as region_text,
        nullif(trim(record -> 'fields' -> '{{ var("deskpro_topic_field_id") }}' ->> 'value'), '') as topic_text,
        (record ->> 'feedback_rating')::integer as feedback_rating,
        coalesce((record ->> 'count_agent_replies')::integer, 0) as agent_reply_count,
        (record ->> 'total_to_first_reply')::integer as seconds_to_first_reply,
        (record ->> 'total_to_first_reply_wh')::integer as business_seconds_to_first_reply,

        -- booleans
        coalesce(record -> 'labels', '[]'::jsonb) ? '{{ var("deskpro_escalation_label", "eskalasi") }}' as is_escalated,
        coalesce(record ->> 'hidden_status', '') in ({{ sql_list(var("deskpro_excluded_hidden_statuses")) }}) as is_excluded,

        -- timestamps (UTC)
        {{ deskpro_ts("record ->> 'date_created'") }} as created_at,
        {{ deskpro_ts("record ->> 'date_first_agent_reply'") }} as first_agent_reply_at,
        {{ deskpro_ts("record ->> 'date_resolved'") }} as resolved_at,
        date_status as status_changed_at,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
