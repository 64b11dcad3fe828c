{% call staging_model('deskpro', 'deskpro__people', {'id': 'bigint'}) -%}
        -- ids
        id as person_id,
        (record ->> 'organization')::bigint as organization_id,

        -- PII is pseudonymised here (keyed HMAC); only the e-mail domain is kept in clear
        {{ pseudonymise("lower(trim(record ->> 'primary_email'))") }} as email_hash,
        lower(split_part(record ->> 'primary_email', '@', 2)) as email_domain,
        {{ pseudonymise("lower(trim(record ->> 'name'))") }} as name_hash,

        -- what the user typed, kept raw for normalisation in the marts
        nullif(trim(record -> 'fields' -> '{{ var("deskpro_region_field_id") }}' ->> 'value'), '') as region_text,
        nullif(trim(record -> 'fields' -> '{{ var("deskpro_institution_field_id") }}' ->> 'value'), '') as institution_text,

        -- timestamps
        {{ deskpro_ts("record ->> 'date_created'") }} as created_at,
        _loaded_at
{%- endcall %}
