-- A batch's lifecycle (analysis/execute/batches.py): reading batches, state changes with their events,
-- the plan hash an approval binds to, approval and its voiding.

-- name: by_id
SELECT batch_id, name, state, selection, settings_toml, settings_signature, selection_signature, options_json,
       plan_hash, load_id, created_by, created_at, approved_by, approved_at, approved_hash, approval_note, agreement
FROM batches WHERE batch_id = $batch_id

-- name: by_name
SELECT batch_id, name, state, selection, settings_toml, settings_signature, selection_signature, options_json,
       plan_hash, load_id, created_by, created_at, approved_by, approved_at, approved_hash, approval_note, agreement
FROM batches WHERE name = $name

-- name: list
-- One line per batch for `batch list`, newest first.
SELECT b.batch_id, b.name, b.state,
       (SELECT count(*) FROM batch_users u WHERE u.batch_id = b.batch_id) AS users,
       (SELECT count(*) FROM batch_rows r WHERE r.batch_id = b.batch_id AND r.writable = 'graph'
                                          AND r.action <> 'noop') AS graph_writes,
       b.created_by, strftime(b.created_at, '%Y-%m-%d %H:%M') AS created,
       b.approved_by,
       CASE WHEN b.agreement IS NULL THEN NULL ELSE printf('%.1f%%', 100 * b.agreement) END AS agreement
FROM batches b
ORDER BY b.batch_id DESC

-- name: event_insert
INSERT INTO batch_events (batch_id, "at", actor, event, from_state, to_state, detail, os_uid, os_user, entra_upn,
                          entra_oid)
VALUES ($batch_id, $at, $actor, $event, $from_state, $to_state, $detail, $os_uid, $os_user, $entra_upn, $entra_oid)

-- name: events
-- os_user / entra_upn: who made the change as proven (NULL in events older than those records).
SELECT strftime("at", '%Y-%m-%d %H:%M:%S') AS at, actor, event, from_state, to_state, detail, os_user, entra_upn
FROM batch_events WHERE batch_id = $batch_id ORDER BY "at", rowid

-- name: set_state
-- Conditional on the state the caller read, so a concurrent change is noticed (no rows returned).
UPDATE batches SET state = $to_state WHERE batch_id = $batch_id AND state = $from_state RETURNING batch_id

-- name: hash_rows_batch
-- The rows a plan hash covers: a batch's frozen rows.
CREATE OR REPLACE TEMP TABLE exec_hash_rows AS
SELECT username, upn, entra_id, item, ref, action, value, reason, writable
FROM batch_rows WHERE batch_id = $batch_id

-- name: hash_rows_replan
-- The rows a plan hash covers: a fresh plan (table __plan__), restricted to a batch's users.
CREATE OR REPLACE TEMP TABLE exec_hash_rows AS
SELECT p.username, p.upn, p.entra_id, p.item, p.ref, p.action, p.value, p.reason, p.writable
FROM __plan__ p
WHERE p.user_id IN (SELECT user_id FROM batch_users WHERE batch_id = $batch_id)

-- name: plan_hash
-- SHA-256 over the fingerprint of the settings and [execute] options and the rows of exec_hash_rows in
-- canonical form: each row is a JSON array of its columns (NULL stays null, distinct from ''), rows
-- sorted, joined by newlines.
SELECT sha256('mfa-migrate plan v1' || chr(10) || $fingerprint || chr(10) ||
              coalesce(string_agg(j, chr(10) ORDER BY j), ''))
FROM (
  SELECT to_json([username, upn, entra_id, item, ref, action, value, reason, writable])::VARCHAR AS j
  FROM exec_hash_rows
)

-- name: approve
UPDATE batches SET state = 'approved', approved_by = $actor, approved_at = $at, approved_hash = $plan_hash,
                   approval_note = $note
WHERE batch_id = $batch_id AND state = 'draft'
RETURNING batch_id

-- name: void_approval
UPDATE batches SET state = 'draft', approved_by = NULL, approved_at = NULL, approved_hash = NULL, approval_note = NULL
WHERE batch_id = $batch_id

-- name: rehash
-- A batch whose stored settings or [execute] options changed gets the hash of what it now holds.
UPDATE batches SET settings_signature = $fingerprint, plan_hash = $plan_hash WHERE batch_id = $batch_id

-- name: users
SELECT user_id, username, entra_id, upn, assumed, status, detail, before_image, replan
FROM batch_users WHERE batch_id = $batch_id ORDER BY username, user_id
