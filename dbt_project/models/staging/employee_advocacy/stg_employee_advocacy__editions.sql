{% call staging_model('employee_advocacy', 'employee_advocacy__editions', {'edition_id': 'text'}) -%}
        edition_id,
        record ->> 'title' as title,
        (record ->> 'publish_date')::date as publish_date,
        upper(trim(record ->> 'quarter')) as quarter,
        left(upper(trim(record ->> 'quarter')), 4)::int as year,
        _request as source_row,
        _batch_id,
        _loaded_at
{%- endcall %}
