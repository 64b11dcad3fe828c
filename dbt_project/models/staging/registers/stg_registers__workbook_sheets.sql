{#- The month sheets read from each loaded (non-duplicate) workbook: which months a
    register covers, including months whose sheet has no rows. -#}
with

workbooks as (

    select *
    from
        {{ raw_source('registers', 'registers__workbooks', {
            'workbook': 'text', 'sheet': 'text', 'sheet_row': 'bigint'
        }) }}
    where record ->> 'duplicate_of' is null

),

sheets as (

    select
        workbooks.workbook,
        workbooks.record ->> 'register_kind' as register_stream,
        sheet.value as sheet_record,
        workbooks._batch_id,
        workbooks._loaded_at
    from workbooks
    cross join lateral jsonb_array_elements(coalesce(workbooks.record -> 'sheets', '[]'::jsonb)) as sheet

),

renamed as (

    select
        -- ids
        workbook || ' | ' || (sheet_record ->> 'sheet') as workbook_sheet_key,
        workbook,
        sheet_record ->> 'sheet' as sheet,
        register_stream,

        -- attributes
        ((sheet_record ->> 'month') || '-01')::date as sheet_month,
        (sheet_record ->> 'header_row')::integer as header_row,
        (sheet_record ->> 'total_row')::integer as total_row,
        (sheet_record ->> 'rows')::integer as valid_rows,
        (sheet_record ->> 'rejected')::integer as rejected_rows,
        (sheet_record ->> 'blank_rows')::integer as blank_rows,

        -- lineage
        _batch_id,
        _loaded_at

    from sheets

)

select * from renamed
