SELECT user_id, username, entra_id, status FROM batch_users WHERE batch_id = ? ORDER BY username, user_id
