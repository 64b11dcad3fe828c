{#- PPID data requests per month, requester's institution type and status: counts only.
    The register names the requester (a person) and their institution; neither reaches
    BI (UU 27/2022). The institution type is the user segment of the institution as
    written, by the consultations' rules (macros/segments.sql, seed ref_segment_rules).
    The month total is mart_monthly_registers (register_kind ppid_requests). -#}
with

requests as (

    select
        sheet_month as month,
        status,
        {{ segment_text_clean('requester_institution') }} as institution_clean
    from {{ ref('stg_registers__ppid_requests') }}

),

segment_rules as (

    select * from {{ ref('ref_segment_rules') }}

),

segments as (

    select * from {{ ref('ref_user_segments') }}

),

classified as (

    select
        requests.month,
        {{ segment_of('requests.institution_clean') }} as requester_type,
        requests.status
    from requests
    {{ segment_rule_join('requests.institution_clean') }}

),

final as (

    select
        -- grain
        classified.month,
        classified.requester_type,
        classified.status,

        -- attributes
        segments.sort_order as requester_type_sort_order,

        -- counts
        count(*) as requests

    from classified
    left join segments
        on classified.requester_type = segments.segment_name
    group by classified.month, classified.requester_type, classified.status, segments.sort_order

)

select * from final
