{#- Every phone consultation whose account code states a caller type lands in that type's
    segment (seed avaya_caller_types.segment_name): the type's institution text must keep
    classifying that way under ref_segment_rules, whoever edits the rules. Rows = failures. -#}
select
    consultations.consultation_id,
    calls.acct_code,
    caller_types.caller_type,
    caller_types.institution_text,
    caller_types.segment_name as expected_segment,
    consultations.segment
from {{ ref('fct_consultations') }} as consultations
inner join {{ ref('int_phone__calls') }} as calls
    on
        consultations.source_system = 'avaya'
        and consultations.source_record_id = calls.ucid
inner join {{ ref('avaya_caller_types') }} as caller_types
    on calls.caller_type = caller_types.caller_type
where consultations.segment is distinct from caller_types.segment_name
