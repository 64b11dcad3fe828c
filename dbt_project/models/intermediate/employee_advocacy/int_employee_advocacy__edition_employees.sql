{#- One row per edition and participating employee (valid submissions only): the
    employee's UE1 and, per activation type and platform, whether the employee has at
    least one valid submission of it. Realisasi = rows; activations = distinct
    (employee, type) = sum of the type flags; social-media accounts = distinct
    (employee, platform) = sum of the platform flags. -#}
with

valid as (

    select * from {{ ref('stg_employee_advocacy__participations') }}
    where validation_status = 'valid'

),

per_employee as (

    select
        edition_id,
        employee_key,
        -- an employee moved between units inside an edition counts once, in the first UE1 (alphabetically)
        min(ue1) as ue1,
        bool_or(activation_type = 'konten_tersedia') as konten_tersedia,
        bool_or(activation_type = 'like_comment_share') as like_comment_share,
        bool_or(activation_type = 'kreasi_konten_mandiri') as kreasi_konten_mandiri,
        bool_or(platform = 'instagram') as instagram,
        bool_or(platform = 'facebook') as facebook,
        bool_or(platform = 'twitter') as twitter,
        bool_or(platform = 'whatsapp') as whatsapp,
        bool_or(platform = 'linkedin') as linkedin,
        bool_or(platform = 'tiktok') as tiktok,
        bool_or(platform = 'youtube') as youtube,
        count(*) as submissions,
        min(submitted_at) as first_submitted_at

    from valid
    group by edition_id, employee_key

)

select
    edition_id || '|' || employee_key as edition_employee_key,
    *
from per_employee
