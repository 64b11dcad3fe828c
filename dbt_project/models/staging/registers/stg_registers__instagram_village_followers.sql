{% call registers_staging('registers__instagram_village_followers') -%}
        (record ->> 'date')::date as noticed_on,
        record ->> 'account' as account,
        record ->> 'village' as village,
{%- endcall %}
