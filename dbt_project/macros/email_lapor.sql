{#- A message's identity (stg_email_lapor__messages): its Message-ID, or the sha256 of its raw
    bytes when it has none. Written once: ensure_raw_index() indexes raw deliveries by exactly
    this expression, which the model's window looks them up by. -#}
{% macro email_lapor_message_key() -%}
    coalesce(nullif(trim(record ->> 'message_id'), ''), 'sha256:' || (record ->> 'raw_sha256'))
{%- endmacro %}
