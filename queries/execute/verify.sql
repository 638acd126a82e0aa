-- Verification (analysis/execute/verify.py): what to read back, what was predicted, and the results.

-- name: users
SELECT user_id, username, entra_id, status FROM batch_users WHERE batch_id = $batch_id ORDER BY username, user_id

-- name: token_users
-- Entra users the batch gives a hardware token ($actions: the vocabulary's token actions).
SELECT DISTINCT entra_id FROM batch_rows WHERE batch_id = $batch_id AND list_contains($actions, action)

-- name: handed_default
-- Users whose default method the run left to Microsoft's utility (its method did not exist yet).
SELECT DISTINCT user_id FROM journal
WHERE batch_id = $batch_id AND step = 'default' AND outcome = 'handed_off'
  AND starts_with(idem_key, CAST(batch_id AS VARCHAR) || ':')

-- name: rows
SELECT user_id, row_no, username, item, ref, action, value, writable
FROM batch_rows WHERE batch_id = $batch_id ORDER BY row_no

-- name: insert
-- One verification's rows, given as one list per column (one statement however many rows).
INSERT INTO verifications (batch_id, verified_at, row_no, username, item, ref, action, writable, predicted, actual,
                           outcome)
SELECT $batch_id, $at, unnest($row_no::INTEGER[]), unnest($username::VARCHAR[]), unnest($item::VARCHAR[]),
       unnest($ref::VARCHAR[]), unnest($action::VARCHAR[]), unnest($writable::VARCHAR[]),
       unnest($predicted::VARCHAR[]), unnest($actual::VARCHAR[]), unnest($outcome::VARCHAR[])

-- name: mark_migrated
-- Remember the migration so the simulator reports the user 'unchanged' next time (docs/executing.md).
INSERT OR REPLACE INTO migration_marks (username, last_migrated_at, migrated_selection, batch_name)
VALUES ($username, $at, $selection, $batch_name)

-- name: set_agreement
UPDATE batches SET agreement = $agreement WHERE batch_id = $batch_id
