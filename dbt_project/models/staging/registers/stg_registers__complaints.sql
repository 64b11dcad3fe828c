{% call registers_staging('registers__complaints') -%}
        (record ->> 'date')::date as complaint_date,
        record ->> 'kind' as complaint_kind,
        record ->> 'description' as description,
{%- endcall %}
