-- Blocked users at the door (analysis/execute/gate.py): readiness findings of a batch's users.

-- name: store
-- The findings ($user_id, $check_id, $severity: one list per column) of the batch's users: per check,
-- and per severity over all checks (check_id '*'), how many have one; a row ('none', '*', 0) when none
-- has, so "no findings" is told from "not counted".
INSERT INTO batch_findings (batch_id, severity, check_id, users)
WITH found AS (
  SELECT unnest($user_id::BIGINT[]) AS user_id, unnest($check_id::VARCHAR[]) AS check_id,
         unnest($severity::VARCHAR[]) AS severity
),
mine AS (
  SELECT f.user_id, f.check_id, f.severity FROM found f
  JOIN batch_users u ON u.user_id = f.user_id AND u.batch_id = $batch_id
)
SELECT $batch_id, severity, check_id, count(DISTINCT user_id) FROM mine GROUP BY ALL
UNION ALL
SELECT $batch_id, severity, '*', count(DISTINCT user_id) FROM mine GROUP BY ALL
UNION ALL
SELECT $batch_id, 'none', '*', 0 WHERE NOT EXISTS (SELECT 1 FROM mine)

-- name: by_check
SELECT severity, check_id, users FROM batch_findings
WHERE batch_id = $batch_id
ORDER BY severity = 'warning', users DESC, check_id
