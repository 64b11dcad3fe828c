{% call staging_model('avaya', 'avaya__files', {'file_name': 'text'}) -%}
        -- ids
        file_name,
        record ->> 'sha256' as sha256,

        -- attributes
        record ->> 'kind' as file_kind,
        (record ->> 'size_bytes')::bigint as size_bytes,
        (record ->> 'records')::integer as records_loaded,
        (record ->> 'rejected')::integer as records_rejected,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
