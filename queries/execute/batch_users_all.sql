SELECT user_id, username, entra_id, upn, assumed, status, detail, before_image, replan
FROM batch_users WHERE batch_id = ? ORDER BY username, user_id
