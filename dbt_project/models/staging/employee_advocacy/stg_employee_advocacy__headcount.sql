with

source as (

    select * from {{ raw_source('employee_advocacy', 'employee_advocacy__headcount', {'quarter': 'text', 'ue1': 'text'}) }}

),

renamed as (

    select
        upper(trim(quarter)) || '|' || upper(trim(ue1)) as headcount_key,
        upper(trim(quarter)) as quarter,
        upper(trim(ue1)) as ue1,
        (record ->> 'employees')::bigint as employees,
        _request as source_row,
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
