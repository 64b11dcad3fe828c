{#- The user segment (ref_user_segments) of an institution text, by the rules of seed
    ref_segment_rules (docs/metrics.md): consultations (int_consultations__enriched) and
    PPID requesters (mart_register_ppid_requests) are classified the same way.

    segment_text_clean(expr): lower case, every run of non-alphanumerics one space, trimmed.
    segment_rule_join(cleaned, rules): a lateral join `rule` on the first rule (by priority)
      whose phrase is the whole cleaned text ('whole') or one of its words ('word').
    segment_of(cleaned): the segment; no usable text -> unclassified, no rule -> Lainnya. -#}
{% macro segment_text_clean(expr) -%}
    btrim(regexp_replace(lower(coalesce({{ expr }}, '')), '[^a-z0-9]+', ' ', 'g'))
{%- endmacro %}

{% macro segment_rule_join(cleaned, rules='segment_rules') -%}
    left join lateral (
        select {{ rules }}.segment_name, {{ rules }}.rule_id
        from {{ rules }}
        where {{ cleaned }} <> ''
          and (
            ({{ rules }}.match_type = 'whole' and {{ cleaned }} = {{ rules }}.phrase)
            or ({{ rules }}.match_type = 'word'
                and position(' ' || {{ rules }}.phrase || ' ' in ' ' || {{ cleaned }} || ' ') > 0)
          )
        order by {{ rules }}.priority, {{ rules }}.rule_id
        limit 1
    ) as rule
        on true
{%- endmacro %}

{% macro segment_of(cleaned) -%}
    case
        when {{ cleaned }} = '' then 'unclassified'
        else coalesce(rule.segment_name, 'Lainnya')
    end
{%- endmacro %}
