{#- The video_conferences register, row by row, in register order within the month. -#}
{% call register_listing('stg_registers__video_conferences') -%}
        conference_date,
        region_text,
        region_name,
        region_note,
        topic,
{%- endcall %}
