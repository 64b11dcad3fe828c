{% call registers_staging('registers__ppid_requests') -%}
        (record ->> 'date')::date as request_date,
        record ->> 'requester' as requester_name,
        record ->> 'institution' as requester_institution,
        record ->> 'data_requested' as data_requested,
        record ->> 'status' as status,
{%- endcall %}
