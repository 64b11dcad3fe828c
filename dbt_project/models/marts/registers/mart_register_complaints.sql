{#- The complaints register, row by row, in register order within the month. -#}
{% call register_listing('stg_registers__complaints') -%}
        complaint_kind,
        complaint_date,
        description,
{%- endcall %}
