{{ meta_account_insights_staging('meta__fb_page_insights', 'page_id', ['metric', 'period']) }}
