-- `batch show` and the dashboard's Batches page: a batch's plan, problem users, rows and differences.

-- name: summary
SELECT item, action, writable, count(*) AS rows
FROM batch_rows WHERE batch_id = $batch_id AND item <> 'user'
GROUP BY item, action, writable
ORDER BY CASE item WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2 WHEN 'device' THEN 3 WHEN 'oath_token' THEN 4
                   ELSE 5 END, rows DESC, action

-- name: problem_users
-- The one definition of a batch's "problem" users: skipped because Entra drifted from the plan, or
-- failed; with why (no secrets are stored). `batch show` and the dashboard's Batches page both list these.
SELECT username, upn, status, detail, updated_at
FROM batch_users
WHERE batch_id = $batch_id AND status IN ('drifted', 'failed')
ORDER BY status, username
LIMIT $limit

-- name: rows
SELECT row_no, username, item, ref, action, value, writable, reason
FROM batch_rows WHERE batch_id = $batch_id ORDER BY row_no

-- name: differences
-- Rows of the latest verification that differ from the prediction.
SELECT username, item, action, predicted, actual
FROM verifications
WHERE batch_id = $batch_id AND outcome = 'differs'
  AND verified_at = (SELECT max(verified_at) FROM verifications WHERE batch_id = $batch_id)
ORDER BY row_no LIMIT 100

-- name: verify_figures
-- The latest verification's two figures: agreement (of what Graph was asked to write) and users fully
-- migrated (marked) of the users the run finished (users; absent from verifications made before it was kept).
SELECT b.agreement,
       try_cast(json_extract_string(e.detail, '$.marked') AS INTEGER) AS marked,
       try_cast(json_extract_string(e.detail, '$.users') AS INTEGER) AS users
FROM batches b
LEFT JOIN (
  SELECT detail FROM batch_events
  WHERE batch_id = $batch_id AND event IN ('verification', 'verified')
  ORDER BY "at" DESC LIMIT 1
) e ON true
WHERE b.batch_id = $batch_id
