{% call staging_model('registers', 'registers__workbooks', {
    'workbook': 'text', 'sheet': 'text', 'sheet_row': 'bigint'
}) -%}
        -- ids
        workbook,
        record ->> 'register_kind' as register_stream,
        record ->> 'sha256' as sha256,
        record ->> 'duplicate_of' as duplicate_of,

        -- attributes
        (record ->> 'year')::integer as workbook_year,
        (record ->> 'size_bytes')::bigint as size_bytes,
        coalesce((record ->> 'rows')::integer, 0) as valid_rows,
        coalesce((record ->> 'rejected')::integer, 0) as rejected_rows,
        jsonb_array_length(coalesce(record -> 'sheets', '[]'::jsonb)) as month_sheets,

        -- booleans
        record ->> 'duplicate_of' is not null as is_duplicate,

        -- lineage
        _batch_id,
        _loaded_at
{%- endcall %}
