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
