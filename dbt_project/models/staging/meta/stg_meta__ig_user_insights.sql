{{ meta_account_insights_staging('meta__ig_user_insights', 'account_id', ['metric', 'metric_type', 'period']) }}
