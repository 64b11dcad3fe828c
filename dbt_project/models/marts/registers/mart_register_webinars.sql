{#- The webinars register, row by row, in register order within the month. -#}
{% call register_listing('stg_registers__webinars') -%}
        event_date,
        title,
        event_kind,
{%- endcall %}
