-- The one definition of a batch's "problem" users: skipped because Entra drifted from the plan, or
-- failed; with why (no secrets are stored). `batch show` and the dashboard's Batches page both list these.
SELECT username, upn, status, detail, updated_at
FROM batch_users
WHERE batch_id = $batch_id AND status IN ('drifted', 'failed')
ORDER BY status, username
LIMIT $limit
