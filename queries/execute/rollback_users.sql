SELECT user_id, username, entra_id, before_image, status FROM batch_users WHERE batch_id = ? ORDER BY username
