{#- Employee advocacy per quarter and per year (period_type 'quarter' / 'year'):
    participating employees = distinct employees over the period's editions; the
    average realisation per edition ("Rata-rata Realisasi", line 973) against the
    period's target (a year: the mean of its quarters' targets over its editions);
    activations and platform accounts summed over the period's editions. -#}
with

editions as (

    select * from {{ ref('mart_employee_advocacy_editions') }}

),

members as (

    select
        m.*,
        e.year,
        e.quarter
    from {{ ref('int_employee_advocacy__edition_employees') }} as m
    inner join editions as e on m.edition_id = e.edition_id

),

periods as (

    select
        'quarter' as period_type,
        quarter as period,
        year,
        edition_id
    from editions
    union all
    select
        'year' as period_type,
        year::text as period,
        year,
        edition_id
    from editions

),

edition_figures as (

    select
        p.period_type,
        p.period,
        min(p.year) as year,
        count(*) as editions,
        round(avg(e.participating_employees), 2) as mean_participating_employees,
        round(avg(e.target_employees), 2) as mean_target_employees,
        round(avg(e.pct_of_target), 2) as mean_pct_of_target,
        round(avg(e.all_employees), 0) as mean_all_employees,
        sum(e.konten_tersedia) as konten_tersedia,
        sum(e.like_comment_share) as like_comment_share,
        sum(e.kreasi_konten_mandiri) as kreasi_konten_mandiri,
        sum(e.activations_total) as activations_total,
        sum(e.instagram) as instagram,
        sum(e.facebook) as facebook,
        sum(e.twitter) as twitter,
        sum(e.whatsapp) as whatsapp,
        sum(e.linkedin) as linkedin,
        sum(e.tiktok) as tiktok,
        sum(e.youtube) as youtube,
        sum(e.social_media_total) as social_media_total
    from periods as p
    inner join editions as e on p.edition_id = e.edition_id
    group by p.period_type, p.period

),

distinct_employees as (

    select
        'quarter' as period_type,
        quarter as period,
        count(distinct employee_key) as participating_employees
    from members
    group by quarter
    union all
    select
        'year' as period_type,
        year::text as period,
        count(distinct employee_key) as participating_employees
    from members
    group by year

)

select
    f.period_type || '|' || f.period as period_key,
    f.period_type,
    f.period,
    f.year,
    f.editions,
    coalesce(d.participating_employees, 0) as participating_employees,
    f.mean_participating_employees,
    f.mean_target_employees,
    round(100.0 * f.mean_participating_employees / nullif(f.mean_target_employees, 0), 2) as pct_of_target,
    f.mean_pct_of_target,
    f.mean_all_employees,
    round(100.0 * coalesce(d.participating_employees, 0) / nullif(f.mean_all_employees, 0), 2) as pct_of_all_employees,
    f.activations_total,
    f.konten_tersedia,
    f.like_comment_share,
    f.kreasi_konten_mandiri,
    round(100.0 * f.konten_tersedia / nullif(f.activations_total, 0), 2) as pct_konten_tersedia,
    round(100.0 * f.like_comment_share / nullif(f.activations_total, 0), 2) as pct_like_comment_share,
    round(100.0 * f.kreasi_konten_mandiri / nullif(f.activations_total, 0), 2) as pct_kreasi_konten_mandiri,
    f.social_media_total,
    f.instagram,
    f.facebook,
    f.twitter,
    f.whatsapp,
    f.linkedin,
    f.tiktok,
    f.youtube
from edition_figures as f
left join distinct_employees as d on f.period_type = d.period_type and f.period = d.period
