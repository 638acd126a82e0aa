UPDATE batch_users SET status = ?, updated_at = now() WHERE batch_id = ? AND user_id = ?
