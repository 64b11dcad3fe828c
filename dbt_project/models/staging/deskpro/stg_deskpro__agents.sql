{% call staging_model('deskpro', 'deskpro__agents', {'id': 'bigint'}) -%}
        id as agent_id,
        record ->> 'name' as agent_name,
        coalesce((record ->> 'is_disabled')::boolean, false) as is_disabled,
        _loaded_at
{%- endcall %}
