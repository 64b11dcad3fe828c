{#- One row per source the report depends on: was it loaded, when last, and how
    many records are in quarantine. The report's "Catatan data" prints it. -#}
with

sources as (

    select * from {{ ref('pipeline_sources') }}

),

batches as (

    select
        source,
        max(loaded_at) as last_loaded_at,
        count(*) as batch_count
    from {{ ref('stg_pipeline__batches') }}
    group by 1

),

quarantine as (

    select
        source,
        count(*) as quarantined_records
    from {{ ref('stg_pipeline__quarantine') }}
    group by 1

),

final as (

    select
        sources.source,
        sources.label,
        batches.last_loaded_at,
        coalesce(batches.batch_count, 0) as batch_count,
        coalesce(quarantine.quarantined_records, 0) as quarantined_records,
        case
            when batches.source is null then 'not_loaded'
            when batches.last_loaded_at < now() - interval '2 days' then 'late'
            else 'ok'
        end as status,
        case
            when batches.source is null then 'Sumber belum pernah dimuat'
            when coalesce(quarantine.quarantined_records, 0) > 0
                then quarantine.quarantined_records || ' record ditolak (lihat raw._quarantine)'
        end as note
    from sources
    left join batches on sources.source = batches.source
    left join quarantine on sources.source = quarantine.source

)

select * from final
