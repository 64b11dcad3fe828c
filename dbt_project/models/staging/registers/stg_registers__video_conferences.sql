{% call registers_staging('registers__video_conferences') -%}
        (record ->> 'date')::date as conference_date,
        record ->> 'region' as region_text,
        {{ registers_region_name("record ->> 'region'") }} as region_name,
        {{ registers_region_note("record ->> 'region'") }} as region_note,
        record ->> 'topic' as topic,
{%- endcall %}
