-- Running a batch (analysis/execute/runner.py, runprep.py, oath.py): its users and rows, their statuses
-- and before-images, and what the journal says about an interrupted run.

-- name: rows
-- The executable plan rows of a batch, per user in row order (graph and utility rows only).
SELECT user_id, row_no, item, ref, action, value, writable
FROM batch_rows
WHERE batch_id = $batch_id AND writable IN ('graph', 'utility') AND action <> 'noop'
ORDER BY user_id, row_no

-- name: users
SELECT user_id, username, entra_id, assumed, status, before_image
FROM batch_users WHERE batch_id = $batch_id ORDER BY username, user_id

-- name: user_statuses
-- Final statuses of users a run finished, given as one list per column: one statement for many users.
UPDATE batch_users AS u
SET status = r.status, detail = r.detail, replan = coalesce(r.replan, u.replan), updated_at = now()
FROM (
  SELECT unnest($status::VARCHAR[]) AS status, unnest($detail::VARCHAR[]) AS detail,
         unnest($replan::VARCHAR[]) AS replan, unnest($batch_id::INTEGER[]) AS batch_id,
         unnest($user_id::BIGINT[]) AS user_id
) AS r
WHERE u.batch_id = r.batch_id AND u.user_id = r.user_id

-- name: user_before_images
-- Before-images read just now, given as one list per column; a user's first one is kept.
UPDATE batch_users AS u SET before_image = r.before_image, updated_at = now()
FROM (
  SELECT unnest($before_image::VARCHAR[]) AS before_image, unnest($batch_id::INTEGER[]) AS batch_id,
         unnest($user_id::BIGINT[]) AS user_id
) AS r
WHERE u.batch_id = r.batch_id AND u.user_id = r.user_id AND u.before_image IS NULL

-- name: user_replan
UPDATE batch_users SET replan = $replan WHERE batch_id = $batch_id AND user_id = $user_id

-- name: status_counts
SELECT status, count(*) FROM batch_users WHERE batch_id = $batch_id GROUP BY status

-- name: open_intent_latest
-- When the newest write left whose outcome is still unknown (an intent with no response or resolution
-- after it, or an 'unknown' response): a resumed run lets such requests settle before re-reading.
SELECT max(i."at")
FROM journal i
WHERE i.batch_id = $batch_id AND i.kind = 'intent' AND starts_with(i.idem_key, $prefix)
  AND NOT EXISTS (
    SELECT 1 FROM journal r
    WHERE r.idem_key = i.idem_key AND r.seq > i.seq
      AND (r.kind = 'resolved' OR (r.kind = 'response' AND r.outcome <> 'unknown')))

-- name: last_run_started
-- When and by whom a batch's last run started (or resumed): named when a crashed run is resumed.
SELECT "at", actor FROM batch_events
WHERE batch_id = $batch_id AND event IN ('run_started', 'run_resumed')
ORDER BY "at" DESC LIMIT 1

-- name: write_span
-- A batch's write phase from its journal: first intent, last response, writes answered ok / refused.
SELECT min("at") FILTER (WHERE kind = 'intent'),
       max("at") FILTER (WHERE kind = 'response'),
       count(*) FILTER (WHERE kind = 'response' AND outcome = 'ok'),
       count(*) FILTER (WHERE kind = 'response' AND outcome = 'error')
FROM journal WHERE batch_id = $batch_id AND starts_with(idem_key, CAST(batch_id AS VARCHAR) || ':')

-- name: datafile_path
-- The MFA Server datafile a load read (hardware OATH secrets are read from it only when written).
SELECT path FROM load_sources
WHERE source = 'datafile'
  AND load_id = coalesce($load_id, (SELECT load_id FROM loads ORDER BY loaded_at DESC LIMIT 1))

-- name: oath_time_steps
SELECT u.username, m.oath_time_step
FROM batch_users u JOIN mfa_users m ON m.user_id = u.user_id AND m.username = u.username
WHERE u.batch_id = $batch_id
