{#- Plain text from a WordPress `*.rendered` HTML fragment (e.g. `title.rendered`):
    tags dropped, every entity decoded (numeric `&#8211;` / `&#x2013;`, and named
    ones from seed `cms_html_entities`; an unknown name stays as written), runs of
    whitespace (including the no-break space) collapsed to one space, trimmed.
    The string is cut into tokens (entity or text) in order and put back together.
    null stays null; an invalid code point becomes U+FFFD. -#}
{% macro cms_decode_html(expr) -%}
    (case when {{ expr }} is null then null else btrim(regexp_replace(coalesce((
        select string_agg(
            case
                when t.m[1] is not null then {{ cms_chr("t.m[1]::bigint") }}
                when t.m[2] is not null then {{ cms_chr("('x' || lpad(t.m[2], 8, '0'))::bit(32)::int::bigint") }}
                when t.m[3] is not null then coalesce(chr(e.codepoint), '&' || t.m[3] || ';')
                else t.m[4]
            end,
            '' order by t.n
        )
        from regexp_matches(
            regexp_replace({{ expr }}, '<[^>]*>', '', 'g'),
            '&#([0-9]{1,7});|&#[xX]([0-9a-fA-F]{1,6});|&([A-Za-z][A-Za-z0-9]{1,31});|([^&]+|&)',
            'g'
        ) with ordinality as t(m, n)
        left join {{ ref('cms_html_entities') }} as e
            on e.entity = t.m[3]
    ), ''), '[[:space:]\u00a0]+', ' ', 'g')) end)
{%- endmacro %}

{#- chr() of a code point, or U+FFFD where chr() would fail (0, surrogates, beyond Unicode). -#}
{% macro cms_chr(codepoint) -%}
    case when {{ codepoint }} between 1 and 1114111 and {{ codepoint }} not between 55296 and 57343
         then chr(({{ codepoint }})::int) else chr(65533) end
{%- endmacro %}

{#- WordPress writes `date_gmt`/`modified_gmt` in UTC without an offset: read them as UTC,
    whatever the session's time zone. -#}
{% macro cms_gmt(json_expr) -%}
    (nullif({{ json_expr }}, '')::timestamp at time zone 'UTC')
{%- endmacro %}
