SELECT u.username, m.oath_time_step
FROM batch_users u JOIN mfa_users m ON m.user_id = u.user_id AND m.username = u.username
WHERE u.batch_id = ?
