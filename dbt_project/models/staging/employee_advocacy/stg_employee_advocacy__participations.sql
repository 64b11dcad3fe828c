{% call staging_model('employee_advocacy', 'employee_advocacy__participations', {'submission_id': 'text'}) -%}
        -- ids
        submission_id,
        record ->> 'edition_id' as edition_id,
        record ->> 'nip_hash' as employee_key,  -- HMAC-SHA256 of the NIP, made in the extractor

        -- attributes
        upper(trim(record ->> 'ue1')) as ue1,
        record ->> 'unit' as unit_name,
        case regexp_replace(lower(record ->> 'activation_type'), '[^a-z]', '', 'g')
            when 'kontentersedia' then 'konten_tersedia'
            when 'likecommentshare' then 'like_comment_share'
            when 'kreasikontenmandiri' then 'kreasi_konten_mandiri'
        end as activation_type,
        case regexp_replace(lower(record ->> 'platform'), '[^a-z]', '', 'g')
            when 'instagram' then 'instagram'
            when 'facebook' then 'facebook'
            when 'twitter' then 'twitter'
            when 'twitterx' then 'twitter'
            when 'x' then 'twitter'
            when 'whatsapp' then 'whatsapp'
            when 'linkedin' then 'linkedin'
            when 'tiktok' then 'tiktok'
            when 'youtube' then 'youtube'
        end as platform,
        case regexp_replace(lower(record ->> 'validation_status'), '[^a-z]', '', 'g')
            when 'valid' then 'valid'
            when 'tervalidasi' then 'valid'
            when 'ditolak' then 'rejected'
            when 'rejected' then 'rejected'
            else 'pending'
        end as validation_status,
        (record ->> 'submitted_at')::timestamptz as submitted_at,

        -- lineage
        record ->> 'export_file' as export_file,
        _request as source_row,
        _batch_id,
        _loaded_at
{%- endcall %}
