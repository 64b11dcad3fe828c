with

source as (

    select * from {{ raw_source('employee_advocacy', 'employee_advocacy__targets', {'quarter': 'text', 'ue1': 'text'}) }}

),

renamed as (

    select
        upper(trim(quarter)) || '|' || upper(trim(ue1)) as targets_key,
        upper(trim(quarter)) as quarter,
        upper(trim(ue1)) as ue1,
        (record ->> 'target_employees')::bigint as target_employees,
        _request as source_row,
        _batch_id,
        _loaded_at

    from source

)

select * from renamed
