{% call staging_model('deskpro', 'deskpro__organizations', {'id': 'bigint'}) -%}
        id as organization_id,
        record ->> 'name' as organization_name,
        {{ deskpro_ts("record ->> 'date_created'") }} as created_at,
        _loaded_at
{%- endcall %}
