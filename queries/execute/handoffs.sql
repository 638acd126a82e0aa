-- Hand-offs (analysis/execute/handoffs.py): a batch's rows only the Migration Utility can carry out, and
-- the users whose hand-off Graph confirmed.

-- name: counts
SELECT count(*) AS rows, count(DISTINCT user_id) AS users
FROM batch_rows WHERE batch_id = $batch_id AND writable = 'utility'

-- name: evidence
-- The run's own journal entries of the hand-off step ($step: handoff_group or tap) that Graph answered
-- ok, or found already in place (the group listing showed the user), or a resolved unknown applied.
SELECT DISTINCT user_id FROM journal
WHERE batch_id = $batch_id AND step = $step AND outcome IN ('ok', 'applied', 'already')
  AND starts_with(idem_key, CAST(batch_id AS VARCHAR) || ':')

-- name: assumed
SELECT user_id, assumed FROM batch_users WHERE batch_id = $batch_id
