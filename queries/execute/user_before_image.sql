-- The Entra state read just before the first write; kept from the first run that read it.
UPDATE batch_users SET before_image = ?, updated_at = now()
WHERE batch_id = ? AND user_id = ? AND before_image IS NULL
