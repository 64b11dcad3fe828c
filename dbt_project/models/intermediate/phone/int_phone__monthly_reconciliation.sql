{{ config(materialized='table') }}  {#- a table: its data tests each re-ran the view -#}
{#- Per month, the consultation calls as CMS counts them (hsplit acdcalls/abncalls of
    the consultation split) against the CDR (ring records G/H at the consultation VDN),
    both by the month the call completed, as CMS records call-based items. -#}
with

cms as (

    select
        month,
        sum(acd_calls) as answered,
        sum(abandoned_calls) as abandoned
    from {{ ref('int_phone__split_intervals') }}
    where is_consultation
    group by 1

),

cdr as (

    select
        date_trunc('month', {{ to_report_time('ended_at') }})::date as month,
        count(*) filter (where outcome = 'answered') as answered,
        count(*) filter (where outcome = 'abandoned') as abandoned
    from {{ ref('int_phone__calls') }}
    where is_consultation
    group by 1

),

final as (

    select
        coalesce(cms.month, cdr.month) as month,
        coalesce(cms.answered, 0) as cms_answered,
        coalesce(cdr.answered, 0) as cdr_answered,
        coalesce(cms.abandoned, 0) as cms_abandoned,
        coalesce(cdr.abandoned, 0) as cdr_abandoned
    from cms
    full outer join cdr
        on cms.month = cdr.month

)

select * from final
