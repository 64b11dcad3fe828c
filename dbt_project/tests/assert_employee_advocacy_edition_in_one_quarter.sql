-- Each employee-advocacy edition is in exactly one quarter (in every mart row of it).
select
    edition_id,
    count(distinct quarter) as quarters
from {{ ref('mart_employee_advocacy_edition_units') }}
group by edition_id
having count(distinct quarter) <> 1
