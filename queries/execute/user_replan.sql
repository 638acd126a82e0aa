UPDATE batch_users SET replan = ? WHERE batch_id = ? AND user_id = ?
