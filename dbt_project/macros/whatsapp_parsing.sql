{#- Parsing helpers of the WhatsApp source. -#}

{#- Cloud API timestamps are Unix seconds, as strings. -#}
{% macro whatsapp_unix_ts(expr) -%}
    to_timestamp(nullif({{ expr }}, '')::bigint)
{%- endmacro %}

{#- The text after "<label>:" (or "<label> =") on a line of a free-text form answer,
    e.g. "2. Daerah : Kab. Wajo" -> "Kab. Wajo". `labels` is a regex alternation.
    (?in): case-insensitive, newline-sensitive (^ and $ at every line). -#}
{% macro whatsapp_form_field(body, labels) -%}
    nullif(trim(substring({{ body }} from '(?in)^[ \t]*(?:[0-9]+[.)][ \t]*)?(?:{{ labels }})[ \t]*[:=][ \t]*([^\n]*)$')), '')
{%- endmacro %}

{#- Delivery progress of an outbound message's status: sent < delivered < read;
    failed is terminal (beats everything, whatever arrives after it); anything else
    (deleted, warning, a BSP's "enqueued") never moves a message forward. -#}
{% macro whatsapp_status_rank(status) -%}
    case {{ status }}
        when 'failed' then 9
        when 'read' then 3
        when 'delivered' then 2
        when 'sent' then 1
        else 0
    end
{%- endmacro %}
