UPDATE batch_users SET status = ?, detail = ?, replan = coalesce(?, replan), updated_at = now()
WHERE batch_id = ? AND user_id = ?
