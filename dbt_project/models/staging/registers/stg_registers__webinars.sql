{% call registers_staging('registers__webinars') -%}
        (record ->> 'date')::date as event_date,
        record ->> 'title' as title,
        record ->> 'kind' as event_kind,
{%- endcall %}
