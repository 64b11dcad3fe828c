{#- Employee advocacy per edition and UE1: the dashboard's "Filter by UE1" view.
    Every UE1 with a headcount in the edition's quarter has a row (0 participants
    when none took part); a UE1 that took part without a headcount row still has one. -#}
with

editions as (

    select
        *,
        row_number() over (partition by year order by publish_date, edition_id) as edition_index
    from {{ ref('stg_employee_advocacy__editions') }}

),

members as (

    select
        edition_id,
        ue1,
        count(*) as participating_employees,
        count(*) filter (where konten_tersedia) as konten_tersedia,
        count(*) filter (where like_comment_share) as like_comment_share,
        count(*) filter (where kreasi_konten_mandiri) as kreasi_konten_mandiri,
        count(*) filter (where instagram) as instagram,
        count(*) filter (where facebook) as facebook,
        count(*) filter (where twitter) as twitter,
        count(*) filter (where whatsapp) as whatsapp,
        count(*) filter (where linkedin) as linkedin,
        count(*) filter (where tiktok) as tiktok,
        count(*) filter (where youtube) as youtube
    from {{ ref('int_employee_advocacy__edition_employees') }}
    group by edition_id, ue1

),

units as (

    select
        e.edition_id,
        h.ue1
    from editions as e
    inner join {{ ref('stg_employee_advocacy__headcount') }} as h on e.quarter = h.quarter
    union
    select
        edition_id,
        ue1
    from members

),

joined as (

    select
        e.edition_id || '|' || u.ue1 as edition_ue1_key,
        e.edition_id,
        e.edition_index,
        e.title,
        e.publish_date,
        e.year,
        e.quarter,
        u.ue1,
        t.target_employees,
        h.employees as headcount,
        coalesce(m.participating_employees, 0) as participating_employees,
        coalesce(m.konten_tersedia, 0) as konten_tersedia,
        coalesce(m.like_comment_share, 0) as like_comment_share,
        coalesce(m.kreasi_konten_mandiri, 0) as kreasi_konten_mandiri,
        coalesce(m.instagram, 0) as instagram,
        coalesce(m.facebook, 0) as facebook,
        coalesce(m.twitter, 0) as twitter,
        coalesce(m.whatsapp, 0) as whatsapp,
        coalesce(m.linkedin, 0) as linkedin,
        coalesce(m.tiktok, 0) as tiktok,
        coalesce(m.youtube, 0) as youtube
    from units as u
    inner join editions as e on u.edition_id = e.edition_id
    left join members as m on u.edition_id = m.edition_id and u.ue1 = m.ue1
    left join {{ ref('stg_employee_advocacy__targets') }} as t on e.quarter = t.quarter and u.ue1 = t.ue1
    left join {{ ref('stg_employee_advocacy__headcount') }} as h on e.quarter = h.quarter and u.ue1 = h.ue1

)

select
    *,
    round(100.0 * participating_employees / nullif(target_employees, 0), 2) as pct_of_target,
    round(100.0 * participating_employees / nullif(headcount, 0), 2) as pct_of_headcount,
    konten_tersedia + like_comment_share + kreasi_konten_mandiri as activations_total,
    round(100.0 * konten_tersedia / nullif(konten_tersedia + like_comment_share + kreasi_konten_mandiri, 0), 2)
        as pct_konten_tersedia,
    round(100.0 * like_comment_share / nullif(konten_tersedia + like_comment_share + kreasi_konten_mandiri, 0), 2)
        as pct_like_comment_share,
    round(100.0 * kreasi_konten_mandiri / nullif(konten_tersedia + like_comment_share + kreasi_konten_mandiri, 0), 2)
        as pct_kreasi_konten_mandiri,
    instagram + facebook + twitter + whatsapp + linkedin + tiktok + youtube as social_media_total
from joined
