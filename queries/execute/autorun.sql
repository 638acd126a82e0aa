-- The interval loop (analysis/execute/autorun.py): users to put into new batches, and batches to run.

-- name: changed
-- Users to migrate that were migrated before (their data changed since): candidates for auto-approval.
-- Users already in an unfinished batch are left to that batch.
SELECT DISTINCT p.user_id
FROM plan_batch p
JOIN mfa_users m ON m.user_id = p.user_id
LEFT JOIN migration_marks mk ON mk.username = m.username
WHERE p.item = 'user' AND p.action = 'migrate'
  AND (mk.username IS NOT NULL OR nullif(trim(m.last_migrated_at), '') IS NOT NULL)
  AND p.user_id NOT IN (
    SELECT u.user_id FROM batch_users u JOIN batches b USING (batch_id)
    WHERE b.state IN ('draft', 'approved', 'running', 'partial', 'failed') AND u.status IN ('pending', 'failed'))

-- name: new
-- Users to migrate that were never migrated: their batch waits for a person's approval.
SELECT DISTINCT p.user_id
FROM plan_batch p
JOIN mfa_users m ON m.user_id = p.user_id
LEFT JOIN migration_marks mk ON mk.username = m.username
WHERE p.item = 'user' AND p.action = 'migrate'
  AND mk.username IS NULL AND nullif(trim(m.last_migrated_at), '') IS NULL
  AND p.user_id NOT IN (
    SELECT u.user_id FROM batch_users u JOIN batches b USING (batch_id)
    WHERE b.state IN ('draft', 'approved', 'running', 'partial', 'failed') AND u.status IN ('pending', 'failed'))

-- name: runnable
-- Sync's batches that can run now: approved, or interrupted/partial runs to resume.
SELECT batch_id, name FROM batches
WHERE starts_with(name, 'sync-') AND state IN ('approved', 'running', 'partial')
ORDER BY batch_id
