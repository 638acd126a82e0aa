SELECT username, status, detail FROM batch_users
WHERE batch_id = ? AND status NOT IN ('done', 'pending', 'rolled_back')
ORDER BY status, username LIMIT 100
