{#- Pseudonyms (UU 27/2022, "Privacy by design"): the hex HMAC-SHA256 of a value under
    the pipeline's secret key, never an unsalted hash (an md5 of a phone number is
    reversed by trying every number).

    The warehouse has no pgcrypto, and a model may not read a secret, so the pipeline
    (pipeline/pseudonym_key.py) provisions HMAC's padded keys into
    private.pseudonym_key, readable by the warehouse user only:
        HMAC(K, m) = sha256((K0 xor opad) || sha256((K0 xor ipad) || m))
    The two scalar subqueries are uncorrelated: Postgres reads the key once per query.
    Null in, null out. tests/test_pseudonym_key.py checks it against Python's hmac. -#}
{% macro pseudonymise(expr) -%}
    encode(sha256(
        (select k_opad from {{ var('pseudonym_key_relation', 'private.pseudonym_key') }})
        || sha256(
            (select k_ipad from {{ var('pseudonym_key_relation', 'private.pseudonym_key') }})
            || convert_to(({{ expr }})::text, 'UTF8')
        )
    ), 'hex')
{%- endmacro %}


{#- on-run-start: fail at once, saying what to do, when the key was never provisioned
    (instead of views that cannot be created, or silently null pseudonyms). -#}
{% macro assert_pseudonym_key() -%}
    {%- set relation = var('pseudonym_key_relation', 'private.pseudonym_key') -%}
    do $assert_pseudonym_key$
    declare
        keys bigint := 0;
    begin
        if to_regclass('{{ relation }}') is not null then
            execute 'select count(*) from {{ relation }}' into keys;
        end if;
        if keys <> 1 then
            raise exception 'no pseudonymisation key in {{ relation }}: run dbt through the pipeline (`make dbt ARGS=...`, the transform DAG), or see docs/operations.md "Pseudonymisation key"';
        end if;
    end
    $assert_pseudonym_key$
{%- endmacro %}


{#- on-run-start: relations that once were granted to bi_reader and must not stay in an
    existing warehouse after their model moved or changed schema (dbt does not drop a
    relation whose model is gone). -#}
{% macro drop_retired_relations() -%}
    do $drop_retired_relations$
    declare
        relation text;
        kind "char";
    begin
        foreach relation in array array[
            {%- for r in var('retired_relations', []) %}'{{ r }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        ]::text[] loop
            select relkind into kind from pg_class where oid = to_regclass(relation);
            if kind in ('r', 'p') then
                execute 'drop table ' || relation || ' cascade';
            elsif kind = 'v' then
                execute 'drop view ' || relation || ' cascade';
            elsif kind = 'm' then
                execute 'drop materialized view ' || relation || ' cascade';
            end if;
            kind := null;
        end loop;
    end
    $drop_retired_relations$
{%- endmacro %}
