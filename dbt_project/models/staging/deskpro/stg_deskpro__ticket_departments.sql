{% call staging_model('deskpro', 'deskpro__ticket_departments', {'id': 'bigint'}) -%}
        id as department_id,
        record ->> 'title' as department_title,
        (record ->> 'parent')::bigint as parent_department_id,
        _loaded_at
{%- endcall %}
