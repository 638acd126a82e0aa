-- Creating a batch (analysis/execute/selection.py): the users a selection names, and freezing their plan
-- rows (from the plan table __plan__) into a new draft batch.

-- name: users_missing
-- Lines of a users file (exec_wanted_users) that name no MFA Server user (username or UPN, any case).
SELECT w.line, w.name
FROM exec_wanted_users w
WHERE NOT EXISTS (
  SELECT 1 FROM __plan__ p
  WHERE p.item = 'user' AND (lower(p.username) = lower(w.name) OR lower(p.upn) = lower(w.name))
)
ORDER BY w.line

-- name: users_file
SELECT DISTINCT p.user_id
FROM __plan__ p
JOIN exec_wanted_users w ON lower(p.username) = lower(w.name) OR lower(p.upn) = lower(w.name)
WHERE p.item = 'user'

-- name: group_lookup
SELECT id FROM entra_groups WHERE $group IN (id, display_name)

-- name: group_users
-- MFA Server users whose matched Entra user is a transitive member of the group (by id or name).
SELECT DISTINCT p.user_id
FROM __plan__ p
JOIN entra_group_transitive_users t ON t.user_id = p.entra_id
JOIN entra_groups g ON g.id = t.group_id
WHERE p.item = 'user' AND $group IN (g.id, g.display_name)

-- name: plan_for_where
-- The plan columns an operator's --where predicate may use (copied into a sandbox database), with the
-- user's priority tier after the phone retirement date over this plan ($plan_table names __plan__;
-- NULL: not known).
SELECT p.user_id, p.entra_id, p.username, p.upn, p.item, p.ref, p.action, p.value, p.reason, p.writable,
       a.tier
FROM __plan__ p
LEFT JOIN users_after_plan($plan_table) a USING (user_id)

-- name: tier_users
-- The users of one priority tier ($tier) after the phone retirement date, over the plan $plan_table.
SELECT user_id FROM users_after_plan($plan_table) WHERE tier = $tier ORDER BY user_id

-- name: excluded
-- Selected users (exec_selected_ids) who have nothing to migrate (a campaign, $campaign: no Entra user
-- to issue a pass to), by their user action.
SELECT p.action, count(*) AS users
FROM __plan__ p JOIN exec_selected_ids s USING (user_id)
WHERE p.item = 'user' AND NOT (p.action = 'migrate' OR ($campaign AND p.action IN ('unchanged', 'out_of_scope')))
GROUP BY p.action ORDER BY users DESC, p.action

-- name: load_latest
SELECT load_id FROM loads ORDER BY loaded_at DESC LIMIT 1

-- name: next_id
SELECT coalesce(max(batch_id), 0) + 1 FROM batches

-- name: freeze_users
-- The batch's users (those to migrate; for a re-registration campaign, $campaign, also those already
-- migrated or out of the migration's scope) with the Entra state the plan was computed on (from the tenant snapshot), in the
-- same canonical shape the executor builds from a live read (analysis/execute/livestate.py): phone
-- numbers by type, the preferred method, and the MFA methods that use one of the five device slots.
INSERT INTO batch_users (batch_id, user_id, username, entra_id, upn, assumed, status, updated_at)
WITH m AS (
  SELECT user_id AS entra_id,
         max(phone_number) FILTER (WHERE kind = 'phone' AND phone_type = 'mobile') AS mobile,
         max(phone_number) FILTER (WHERE kind = 'phone' AND phone_type = 'alternateMobile') AS alternate,
         max(phone_number) FILTER (WHERE kind = 'phone' AND phone_type = 'office') AS office,
         list({'kind': kind, 'id': method_id} ORDER BY kind, method_id)
           FILTER (WHERE kind IN ('authenticator', 'software_oath', 'hardware_oath')) AS methods
  FROM entra_methods GROUP BY user_id
)
SELECT $batch_id, p.user_id, p.username, p.entra_id, p.upn,
       to_json({'mobile': m.mobile, 'alternateMobile': m.alternate, 'office': m.office,
                'preferred': e.preferred_method,
                'methods': coalesce(m.methods, [])})::VARCHAR,
       'pending', now()
FROM __plan__ p
JOIN exec_selected_ids s USING (user_id)
LEFT JOIN entra_users e ON e.id = p.entra_id
LEFT JOIN m ON m.entra_id = p.entra_id
WHERE p.item = 'user' AND p.entra_id IS NOT NULL
  AND (p.action = 'migrate' OR ($campaign AND p.action IN ('unchanged', 'out_of_scope')))

-- name: user_count
SELECT count(*) FROM batch_users WHERE batch_id = $batch_id

-- name: freeze_rows
-- Copy the plan rows of the batch's users; row_no orders them by user and the executor's write order.
INSERT INTO batch_rows
SELECT $batch_id,
       row_number() OVER (ORDER BY p.username, p.user_id,
         CASE p.item WHEN 'user' THEN 0 WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2 WHEN 'oath_token' THEN 3
                     WHEN 'device' THEN 4 WHEN 'default_method' THEN 5 ELSE 6 END, p.ref, p.action),
       p.user_id, p.entra_id, p.username, p.upn, p.item, p.ref, p.action, p.value, p.reason, p.writable
FROM __plan__ p
WHERE p.user_id IN (SELECT user_id FROM batch_users WHERE batch_id = $batch_id)

-- name: row_count
SELECT count(*) FROM batch_rows WHERE batch_id = $batch_id

-- name: insert
INSERT INTO batches (batch_id, name, state, selection, settings_toml, settings_signature, selection_signature,
                     options_json, plan_hash, load_id, created_by, created_at)
VALUES ($batch_id, $name, 'draft', $selection, $settings_toml, $fingerprint, $selection_signature,
        $options_json, $plan_hash, $load_id, $actor, $at)

-- name: overlap
-- Users of this batch that are also in another batch that has not finished.
SELECT count(DISTINCT u.user_id)
FROM batch_users u
JOIN batch_users o ON o.user_id = u.user_id AND o.batch_id <> u.batch_id
JOIN batches b ON b.batch_id = o.batch_id AND b.state IN ('draft', 'approved', 'running', 'partial', 'failed')
WHERE u.batch_id = $batch_id

-- name: wanted_users
-- The names of a users file, with their line numbers (read by users_missing and users_file).
CREATE OR REPLACE TEMP TABLE exec_wanted_users AS
SELECT unnest($lines::INTEGER[]) AS line, unnest($names::VARCHAR[]) AS name

-- name: selected_ids
-- The MFA Server user ids a selection names (read by excluded and freeze_users).
CREATE OR REPLACE TEMP TABLE exec_selected_ids AS SELECT unnest($ids::BIGINT[]) AS user_id

-- name: tap_policy
-- The Temporary Access Pass configuration of the snapshot's authentication methods policy: whether the
-- policy was read at all, the state, the lifetime bounds and whether passes must be one-time.
SELECT coalesce((SELECT bool_or(has_methods_policy) FROM tenant_info), false) AS policy_read,
       any_value(lower(state)) AS state,
       any_value(TRY_CAST(json_extract_string(detail, '$.minimumLifetimeInMinutes') AS INTEGER)) AS low,
       any_value(TRY_CAST(json_extract_string(detail, '$.maximumLifetimeInMinutes') AS INTEGER)) AS high,
       coalesce(any_value(TRY_CAST(json_extract_string(detail, '$.isUsableOnce') AS BOOLEAN)), false) AS once
FROM entra_method_configs
WHERE lower(config_id) = 'temporaryaccesspass'
