{#- Employee advocacy per edition: the figures of one dashboard snapshot. The
    quarter's target and all-employees figures are the sums over UE1 of the
    reference data (never the dashboard's label); a quarter without targets gives a
    null target and null % of target. -#}
with

by_ue1 as (

    select * from {{ ref('mart_employee_advocacy_edition_units') }}

),

editions as (

    select
        edition_id,
        min(edition_index) as edition_index,
        min(title) as title,
        min(publish_date) as publish_date,
        min(year) as year,
        min(quarter) as quarter,
        sum(target_employees) as target_employees,
        count(target_employees) as ue1_with_target,
        sum(headcount) as all_employees,
        sum(participating_employees) as participating_employees,
        sum(konten_tersedia) as konten_tersedia,
        sum(like_comment_share) as like_comment_share,
        sum(kreasi_konten_mandiri) as kreasi_konten_mandiri,
        sum(activations_total) as activations_total,
        sum(instagram) as instagram,
        sum(facebook) as facebook,
        sum(twitter) as twitter,
        sum(whatsapp) as whatsapp,
        sum(linkedin) as linkedin,
        sum(tiktok) as tiktok,
        sum(youtube) as youtube,
        sum(social_media_total) as social_media_total
    from by_ue1
    group by edition_id

)

select
    edition_id,
    edition_index,
    title,
    publish_date,
    year,
    quarter,
    target_employees::bigint as target_employees,
    case when ue1_with_target = 0 then 'no target set for the quarter' else 'set' end as target_status,
    all_employees::bigint as all_employees,
    participating_employees::bigint as participating_employees,
    round(100.0 * participating_employees / nullif(target_employees, 0), 2) as pct_of_target,
    round(100.0 * participating_employees / nullif(all_employees, 0), 2) as pct_of_all_employees,
    activations_total::bigint as activations_total,
    konten_tersedia::bigint as konten_tersedia,
    like_comment_share::bigint as like_comment_share,
    kreasi_konten_mandiri::bigint as kreasi_konten_mandiri,
    round(100.0 * konten_tersedia / nullif(activations_total, 0), 2) as pct_konten_tersedia,
    round(100.0 * like_comment_share / nullif(activations_total, 0), 2) as pct_like_comment_share,
    round(100.0 * kreasi_konten_mandiri / nullif(activations_total, 0), 2) as pct_kreasi_konten_mandiri,
    social_media_total::bigint as social_media_total,
    instagram::bigint as instagram,
    facebook::bigint as facebook,
    twitter::bigint as twitter,
    whatsapp::bigint as whatsapp,
    linkedin::bigint as linkedin,
    tiktok::bigint as tiktok,
    youtube::bigint as youtube
from editions
