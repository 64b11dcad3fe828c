{#- A quarterly figure of the employee-advocacy source per quarter and UE1 (echelon-one
    unit of the Ministry of Finance), e.g. the headcount or the participation target:
    the key `<key_name>` ("2023-Q4|DJPK"), quarter and UE1 normalised (trimmed, upper
    case), and `value_column` read from the record as a bigint. -#}
{% macro employee_advocacy_quarterly_staging(stream, key_name, value_column) -%}
    {%- call staging_model('employee_advocacy', stream, {'quarter': 'text', 'ue1': 'text'}) %}
        upper(trim(quarter)) || '|' || upper(trim(ue1)) as {{ key_name }},
        upper(trim(quarter)) as quarter,
        upper(trim(ue1)) as ue1,
        (record ->> '{{ value_column }}')::bigint as {{ value_column }},
        _request as source_row,
        _batch_id,
        _loaded_at
    {%- endcall %}
{%- endmacro %}
