{% call registers_staging('registers__face_to_face_consultations') -%}
        (record ->> 'date')::date as consultation_date,
        record ->> 'region' as region_text,
        {{ registers_region_name("record ->> 'region'") }} as region_name,
        {{ registers_region_note("record ->> 'region'") }} as region_note,
        record ->> 'topic' as topic,
        (record ->> 'guests')::integer as guests,
{%- endcall %}
