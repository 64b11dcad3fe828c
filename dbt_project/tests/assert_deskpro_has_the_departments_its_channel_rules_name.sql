-- Every Deskpro department a channel rule names (seeds/deskpro_channel_rules.csv) must exist
-- under that exact title once departments have been loaded; a renamed department would
-- otherwise send its tickets to another channel in silence (e.g. HAI Kemenkeu to Email).
{{ config(store_failures=true) }}

with departments as (
    select department_title from {{ ref('stg_deskpro__ticket_departments') }}
),

rules as (
    select
        priority,
        channel_key,
        department_title
    from {{ ref('deskpro_channel_rules') }}
    where department_title is not null
)

select
    rules.priority,
    rules.channel_key,
    rules.department_title as expected_department_title,
    'Deskpro has no ticket department titled "' || rules.department_title
    || '" (deskpro_channel_rules priority ' || rules.priority || ', channel '
    || rules.channel_key || '); rename the rule or the department' as failure
from rules
where
    exists (select 1 from departments)
    and not exists (
        select 1 from departments
        where departments.department_title = rules.department_title
    )
