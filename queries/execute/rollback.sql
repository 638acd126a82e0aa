-- Rolling a batch back (analysis/execute/rollback.py): what it wrote, its users, and their new status.

-- name: ours
-- Steps of a batch whose write this tool made: answered ok, or an unknown outcome resolved 'applied'.
SELECT DISTINCT idem_key FROM journal
WHERE batch_id = $batch_id AND starts_with(idem_key, $prefix) AND outcome IN ('ok', 'applied')

-- name: values
-- What the batch writes through Graph, per user (the rows the undo steps are made from).
SELECT user_id, item, action, ref, value FROM batch_rows WHERE batch_id = $batch_id AND writable = 'graph'

-- name: group_url
-- The group the batch added users to (the migration group, or a campaign's communication group), from
-- the journal's own request URL (older journals have no ids; a crash may have left only the intent).
SELECT url FROM journal
WHERE batch_id = $batch_id AND step IN ('handoff_group', 'campaign_group') AND kind = 'intent'
ORDER BY seq LIMIT 1

-- name: users
SELECT user_id, username, entra_id, before_image, status FROM batch_users
WHERE batch_id = $batch_id ORDER BY username

-- name: user_done
UPDATE batch_users SET status = $status, detail = $detail, updated_at = now()
WHERE batch_id = $batch_id AND user_id = $user_id

-- name: unmark
-- A rolled-back user is no longer migrated by this batch.
DELETE FROM migration_marks
WHERE batch_name = $batch_name
  AND username = (SELECT username FROM batch_users WHERE batch_id = $batch_id AND user_id = $user_id)
