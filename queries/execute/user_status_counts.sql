SELECT status, count(*) FROM batch_users WHERE batch_id = ? GROUP BY status
