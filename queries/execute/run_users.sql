SELECT user_id, username, entra_id, assumed, status, before_image
FROM batch_users WHERE batch_id = ? ORDER BY username, user_id
