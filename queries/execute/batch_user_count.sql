SELECT count(*) FROM batch_users WHERE batch_id = ?
