-- A batch's users that were skipped (drifted) or failed, with why (no secrets are stored).
SELECT username, upn, status, detail, updated_at
FROM batch_users
WHERE batch_id = $batch_id AND status IN ('drifted', 'failed')
ORDER BY status, username
LIMIT 1000
