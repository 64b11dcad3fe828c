{{ meta_item_insights_staging('meta__ig_media_insights', 'media_id') }}
