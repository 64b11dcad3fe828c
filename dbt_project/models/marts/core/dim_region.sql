with

regions as (

    select * from {{ ref('ref_regions') }}

),

final as (

    select
        -- ids
        region_code,
        province_code,
        local_government_code,

        -- names
        region_label,
        region_name,
        region_short_name,
        province_name,

        -- attributes
        region_kind,
        is_autonomous as is_local_government,
        timezone,
        utc_offset_hours,
        tz_name

    from regions

)

select * from final
