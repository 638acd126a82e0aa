UPDATE batch_users SET status = ?, detail = ?, updated_at = now() WHERE batch_id = ? AND user_id = ?
