{#- Avaya helpers (staging/avaya, intermediate/phone). -#}

{#- A CMS or CDR local date + hhmm as timestamptz. CM and CMS keep the switch's wall
    clock; var('avaya_switch_timezone', default Asia/Jakarta) names its zone. -#}
{% macro avaya_switch_time(date_expr, hhmm_expr) -%}
    (({{ date_expr }})::date + make_interval(hours => ({{ hhmm_expr }})::integer / 100,
                                             mins => ({{ hhmm_expr }})::integer % 100))
        at time zone '{{ var("avaya_switch_timezone", "Asia/Jakarta") }}'
{%- endmacro %}

{#- A raw Avaya table through raw_source(), with the typed key columns the loader gives
    it (extractors/avaya/streams.py). -#}
{% macro avaya_raw(table_name) -%}
    {%- set key_columns = {
        'avaya__hsplit': {'row_date': 'date', 'starttime': 'bigint', 'acd': 'bigint', 'split': 'bigint'},
        'avaya__hagent': {
            'row_date': 'date', 'starttime': 'bigint', 'acd': 'bigint', 'split': 'bigint', 'logid': 'text'
        },
        'avaya__cdr': {'ucid': 'text', 'cond_code': 'text', 'call_date': 'date', 'call_time': 'bigint'},
        'avaya__files': {'file_name': 'text'},
    } -%}
    {{ raw_source('avaya', table_name, key_columns[table_name]) }}
{%- endmacro %}

{#- The rows of a raw Avaya table that come from the current version of their file
    (raw.avaya__files holds each file's last sha256): a corrected file replaces the
    rows of the version before it, including rows it no longer has. -#}
{% macro avaya_current_rows(table_name) -%}
    select rows_.*
    from (select * from {{ avaya_raw(table_name) }}) as rows_
    inner join (select * from {{ avaya_raw('avaya__files') }}) as files_
        on files_.file_name = rows_.record ->> 'source_file'
        and files_.record ->> 'sha256' = rows_.record ->> 'file_sha256'
{%- endmacro %}

{#- Digits of a number as the PSTN delivered it, in national form ("0" + area code or
    mobile prefix): "62812..." and "812..." both become "0812...". Null for no digits. -#}
{% macro avaya_national_number(digits) -%}
    case
        when {{ digits }} = '' then null
        when {{ digits }} like '62%' and length({{ digits }}) >= 10 then '0' || substr({{ digits }}, 3)
        when {{ digits }} like '0%' then {{ digits }}
        else '0' || {{ digits }}
    end
{%- endmacro %}

{#- The E.164 form ("+62...") of a national number, the stable id we hash. -#}
{% macro avaya_e164(national) -%}
    ('+62' || substr({{ national }}, 2))
{%- endmacro %}

{#- Where an Avaya row came from: the file and line the extractor read it from, and its load. -#}
{% macro avaya_lineage_columns() -%}
    record ->> 'source_file' as source_file,
        (record ->> 'line_no')::integer as source_line,
        _batch_id,
        _loaded_at
{%- endmacro %}
