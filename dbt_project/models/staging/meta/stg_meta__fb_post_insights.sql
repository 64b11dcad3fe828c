{{ meta_item_insights_staging('meta__fb_post_insights', 'post_id') }}
