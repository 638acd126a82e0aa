-- The dashboard pages' queries (analysis/dashboard/data.py). __plan__ is the plan table the page shows.

-- name: load_info
-- One load with the tenant snapshot it brought, for the sidebar.
SELECT
  l.load_id,
  strftime(timezone('UTC', l.loaded_at), '%Y-%m-%d %H:%M UTC') AS loaded_at,
  l.datafile_kind,
  coalesce(t.tenant_id, '?') AS tenant,
  t.taken_at,
  t.source AS snapshot_source,
  l.tool_version
FROM loads AS l
LEFT JOIN tenant_info AS t ON true
WHERE l.load_id = $load_id
LIMIT 1

-- name: load_sources
-- The files a load read: which, their fingerprints and row counts (sidebar "Sources").
SELECT
  source,
  regexp_extract(path, '[^/\\]+$') AS file,
  left(sha256, 12) AS sha256,
  rows,
  path
FROM load_sources
WHERE load_id = $load_id
ORDER BY source

-- name: workspace_counts
-- Headline counts from the loaded tables, whatever the settings (Overview tiles, sidebar).
SELECT
  (SELECT count(*) FROM mfa_users)                               AS mfa_users,
  (SELECT count(*) FROM mfa_users WHERE enabled)                 AS mfa_enabled,
  (SELECT count(*) FROM mfa_devices)                             AS mfa_devices,
  (SELECT count(DISTINCT user_id) FROM mfa_devices)              AS mfa_users_with_devices,
  (SELECT count(*) FROM mfa_users WHERE nullif(trim(oath_serial), '') IS NOT NULL) AS mfa_oath_tokens,
  (SELECT count(*) FROM entra_users)                             AS entra_users,
  (SELECT count(*) FROM entra_methods)                           AS entra_methods,
  (SELECT count(*) FROM rejects)                                 AS rejects

-- name: user_search
-- Users page search: MFA Server users whose username, name, email or SID contains the text, or whose
-- matched Entra UPN does (__plan__ is the dashboard's plan table). At most $limit rows.
SELECT
  u.user_id,
  u.username,
  trim(concat_ws(' ', u.first_name, u.last_name)) AS name,
  p.upn,
  u.object_sid AS sid,
  p.action AS outcome
FROM mfa_users AS u
LEFT JOIN __plan__ AS p ON p.user_id = u.user_id AND p.item = 'user'
WHERE $text = ''
   OR u.username ILIKE '%' || $text || '%'
   OR concat_ws(' ', u.first_name, u.last_name) ILIKE '%' || $text || '%'
   OR u.email ILIKE '%' || $text || '%'
   OR u.object_sid ILIKE '%' || $text || '%'
   OR p.upn ILIKE '%' || $text || '%'
ORDER BY u.username
LIMIT $limit

-- name: user_entra
-- The Entra user an MFA Server user matched (per the plan), with sign-in preferences.
SELECT
  e.id, e.user_principal_name, e.display_name, e.account_enabled, e.user_type, e.mail,
  e.on_premises_sync_enabled, e.on_premises_security_identifier, e.preferred_method,
  e.system_preferred_enabled, e.methods_error
FROM __plan__ AS p
JOIN entra_users AS e ON e.id = p.entra_id
WHERE p.user_id = $user_id AND p.item = 'user'

-- name: user_mfa
-- One MFA Server user as the utility's View shows it (no secrets: fingerprints are not selected).
SELECT
  u.user_id, u.username, trim(concat_ws(' ', u.first_name, u.last_name)) AS name, u.email, u.object_sid,
  u.user_group, u.enabled, u.method, u.phone_mode, u.text_mode, u.text_direction, u.app_mode, u.has_pin,
  u.language, u.country_code, u.phone, u.extension, u.backup_country_code, u.backup_phone,
  u.backup_extension, u.oath_serial, u.oath_kind, u.oath_time_step,
  u.oath_secret_sha256 IS NOT NULL AS oath_has_secret,
  u.created_at, u.modified_at, u.last_migrated_at, u.migrated_selection, u.details_known,
  ph.graph_number AS phone_graph, ph.valid AS phone_valid, ph.error AS phone_error,
  bp.graph_number AS backup_graph, bp.valid AS backup_valid, bp.error AS backup_error
FROM mfa_users AS u
LEFT JOIN mfa_phones AS ph ON ph.user_id = u.user_id AND ph.slot = 'phone'
LEFT JOIN mfa_phones AS bp ON bp.user_id = u.user_id AND bp.slot = 'backup_phone'
WHERE u.user_id = $user_id

-- name: user_devices
-- One user's Authenticator devices on MFA Server, newest first, with the plan's outcome for each.
SELECT
  d.device_id, d.device_name, d.activated_at, d.app_version, d.notification_type, d.account_name,
  p.action, p.reason
FROM mfa_devices AS d
LEFT JOIN __plan__ AS p ON p.user_id = d.user_id AND p.item = 'device' AND p.ref = CAST(d.device_id AS VARCHAR)
WHERE d.user_id = $user_id
ORDER BY d.activated_at DESC NULLS LAST, d.device_id DESC

-- name: user_entra_methods
-- One Entra user's authentication methods (Graph never returns secrets; none are stored).
SELECT kind, phone_type, phone_number, display_name, method_id
FROM entra_methods
WHERE user_id = $entra_id
ORDER BY kind, phone_type, display_name

-- name: user_plan
-- One user's plan rows in plan order.
SELECT item, ref, action, value, reason, writable
FROM __plan__
WHERE user_id = $user_id
ORDER BY CASE item WHEN 'user' THEN 0 WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2 WHEN 'device' THEN 3
                   WHEN 'oath_token' THEN 4 WHEN 'default_method' THEN 5 ELSE 6 END, ref

-- name: table_exists
-- Whether a workspace table exists (execution's tables appear with the first batch).
SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = $table_name AND table_schema = 'main'

-- name: batch_list
-- Every batch with its head counts, newest first (Batches page list, Journal filter).
SELECT
  b.batch_id, b.name, b.state, b.selection, b.created_by, b.created_at, b.approved_by, b.approved_at,
  b.plan_hash, b.approved_hash, b.agreement, b.settings_signature, b.selection_signature, b.load_id,
  b.options_json,
  (SELECT count(*) FROM batch_users AS u WHERE u.batch_id = b.batch_id) AS users,
  (SELECT count(*) FROM batch_rows AS r WHERE r.batch_id = b.batch_id) AS rows
FROM batches AS b
ORDER BY b.batch_id DESC

-- name: journal_facets
-- The values the journal filters offer, with counts.
SELECT 'kind' AS facet, kind AS value, count(*) AS n FROM journal GROUP BY kind
UNION ALL SELECT 'outcome', outcome, count(*) FROM journal WHERE outcome IS NOT NULL GROUP BY outcome
UNION ALL SELECT 'step', step, count(*) FROM journal WHERE step IS NOT NULL GROUP BY step
ORDER BY facet, n DESC

-- name: journal_filtered
-- The journal, filtered ($… NULL = no filter), newest first; $limit caps the rows (NULL: all, for
-- exports); `total` counts every match.
-- Bodies are stored redacted by the executor; the page redacts again before showing any.
SELECT
  j.seq, j.at, j.run_id, j.batch_id, b.name AS batch, j.kind, j.step, j.method, j.url, j.status,
  j.outcome, j.user_id, u.username, j.entra_id, j.idem_key, j.actor, j.body, j.response,
  count(*) OVER () AS total
FROM journal AS j
LEFT JOIN batches AS b ON b.batch_id = j.batch_id
LEFT JOIN mfa_users AS u ON u.user_id = j.user_id
WHERE ($batch_id IS NULL OR j.batch_id = $batch_id)
  AND ($kind IS NULL OR j.kind = $kind)
  AND ($outcome IS NULL OR j.outcome = $outcome)
  AND ($step IS NULL OR j.step = $step)
  AND ($since IS NULL OR j.at >= $since)
  AND ($text = '' OR u.username ILIKE '%' || $text || '%' OR j.entra_id ILIKE '%' || $text || '%'
       OR j.url ILIKE '%' || $text || '%' OR j.idem_key ILIKE '%' || $text || '%' OR j.actor ILIKE '%' || $text || '%')
ORDER BY j.seq DESC
LIMIT $limit

-- name: batch_events_all
-- The batch audit trail: every state change with who and when, newest first.
SELECT e.at, e.batch_id, b.name AS batch, e.actor, e.event, e.from_state, e.to_state, e.detail
FROM batch_events AS e
LEFT JOIN batches AS b ON b.batch_id = e.batch_id
WHERE ($batch_id IS NULL OR e.batch_id = $batch_id)
ORDER BY e.at DESC, e.batch_id DESC

-- name: user_outcomes
-- Users by plan outcome (the plan's one `user` row per MFA Server user).
SELECT action, count(*) AS users FROM __plan__ WHERE item = 'user' GROUP BY action ORDER BY users DESC

-- name: item_outcomes
-- Plan rows by item, action and who writes them (Overview's write summary and the device chart).
SELECT item, action, writable, count(*) AS rows, count(DISTINCT user_id) AS users
FROM __plan__
WHERE item <> 'user'
GROUP BY item, action, writable
ORDER BY item, rows DESC

-- name: method_counts
-- Users holding each kind of method: on MFA Server (all its users, by the slot the utility would use),
-- in Entra now and in Entra after the plan (both over the Entra users the plan matched). "After the
-- plan" assumes Graph writes and the utility's device/software-OATH work both succeed.
WITH matched AS (
  SELECT DISTINCT entra_id FROM __plan__ WHERE item = 'user' AND entra_id IS NOT NULL
),
entra_now AS (
  SELECT DISTINCT m.user_id AS entra_id,
    CASE
      WHEN m.kind = 'phone' AND m.phone_type = 'mobile' THEN 'Mobile phone'
      WHEN m.kind = 'phone' AND m.phone_type = 'alternateMobile' THEN 'Alternate phone'
      WHEN m.kind = 'phone' AND m.phone_type = 'office' THEN 'Office phone'
      WHEN m.kind = 'authenticator' THEN 'Authenticator app'
      WHEN m.kind = 'hardware_oath' THEN 'Hardware OATH token'
      WHEN m.kind = 'software_oath' THEN 'Software OATH token'
    END AS method
  FROM entra_methods AS m
  SEMI JOIN matched AS x ON x.entra_id = m.user_id
),
planned AS (
  SELECT DISTINCT entra_id,
    CASE
      WHEN action IN ('write_mobile', 'write_mobile_drop_extension') THEN 'Mobile phone'
      WHEN action = 'write_alternate' THEN 'Alternate phone'
      WHEN action = 'write_office' THEN 'Office phone'
      WHEN action IN ('create_device', 'update_device') THEN 'Authenticator app'
      WHEN action IN ('create_hardware_oath', 'update_oath') THEN 'Hardware OATH token'
      WHEN action = 'create_software_oath' THEN 'Software OATH token'
    END AS method
  FROM __plan__
  WHERE entra_id IS NOT NULL
    AND action IN ('write_mobile', 'write_mobile_drop_extension', 'write_alternate', 'write_office',
                   'create_device', 'update_device', 'create_hardware_oath', 'update_oath',
                   'create_software_oath')
),
mfa AS (
  SELECT
    count(*) FILTER (WHERE nullif(trim(phone), '') IS NOT NULL AND nullif(trim(extension), '') IS NULL) AS mobile,
    count(*) FILTER (WHERE nullif(trim(backup_phone), '') IS NOT NULL
                       AND nullif(trim(backup_extension), '') IS NULL) AS alternate,
    count(*) FILTER (WHERE (nullif(trim(phone), '') IS NOT NULL AND nullif(trim(extension), '') IS NOT NULL)
                        OR (nullif(trim(backup_phone), '') IS NOT NULL
                            AND nullif(trim(backup_extension), '') IS NOT NULL)) AS office,
    count(*) FILTER (WHERE nullif(trim(oath_serial), '') IS NOT NULL) AS hardware_oath
  FROM mfa_users
)
SELECT 'MFA Server' AS population, 'Mobile phone' AS method, mobile AS users FROM mfa
UNION ALL SELECT 'MFA Server', 'Alternate phone', alternate FROM mfa
UNION ALL SELECT 'MFA Server', 'Office phone', office FROM mfa
UNION ALL SELECT 'MFA Server', 'Authenticator app', (SELECT count(DISTINCT user_id) FROM mfa_devices)
UNION ALL SELECT 'MFA Server', 'Hardware OATH token', hardware_oath FROM mfa
UNION ALL SELECT 'MFA Server', 'Software OATH token', 0
UNION ALL
SELECT 'Entra now', method, count(*) FROM entra_now WHERE method IS NOT NULL GROUP BY method
UNION ALL
SELECT 'After the plan', method, count(*)
FROM (SELECT entra_id, method FROM entra_now WHERE method IS NOT NULL UNION SELECT entra_id, method FROM planned)
GROUP BY method

-- name: devices_per_user
-- How many Authenticator devices MFA Server users have (0 … 6+), for the device chart.
WITH per_user AS (
  SELECT u.user_id, count(d.device_id) AS devices
  FROM mfa_users AS u LEFT JOIN mfa_devices AS d ON d.user_id = u.user_id
  GROUP BY u.user_id
)
SELECT CASE WHEN devices >= 6 THEN '6+' ELSE CAST(devices AS VARCHAR) END AS devices, count(*) AS users
FROM per_user GROUP BY 1 ORDER BY 1

-- name: group_names
-- Entra groups for the pickers with their transitive user members (the first 5,000 by name; any name or
-- id can still be typed).
SELECT coalesce(g.display_name, g.id) AS name, count(t.user_id) AS members
FROM entra_groups g
LEFT JOIN entra_group_transitive_users t ON t.group_id = g.id
GROUP BY g.id, g.display_name
ORDER BY lower(name), name
LIMIT 5000

-- name: not_read
-- What the snapshot could not read, and why (pages say "not read" there, never "none").
SELECT what, reason FROM entra_not_read ORDER BY what

-- name: rollout_groups
-- Staged Rollout policies and their groups with the facts that decide a group's health: Staged Rollout
-- routes only direct user members (no nesting, no dynamic groups, contacts block the group) and takes
-- at most 10 groups of 50,000 users per feature. A policy with no group still gets one row.
WITH members AS (
  SELECT group_id,
         count(*) FILTER (WHERE member_type = 'user')    AS direct_users,
         count(*) FILTER (WHERE member_type = 'group')   AS nested_groups,
         count(*) FILTER (WHERE member_type = 'contact') AS contacts
  FROM entra_group_members GROUP BY group_id
),
transitive AS (
  SELECT group_id, count(DISTINCT user_id) AS transitive_users FROM entra_group_transitive_users GROUP BY group_id
)
SELECT
  coalesce(p.display_name, p.id) AS policy,
  p.id AS policy_id,
  p.feature,
  coalesce(p.is_enabled, false) AS enabled,
  coalesce(p.is_applied_to_organization, false) AS whole_organisation,
  pg.group_id,
  coalesce(g.display_name, pg.group_id) AS group_name,
  g.id IS NULL AND pg.group_id IS NOT NULL AS group_missing,
  coalesce(g.is_dynamic, false) AS dynamic,
  coalesce(m.direct_users, 0) AS direct_users,
  coalesce(m.nested_groups, 0) AS nested_groups,
  coalesce(m.contacts, 0) AS contacts,
  coalesce(t.transitive_users, 0) AS transitive_users,
  count(pg.group_id) OVER (PARTITION BY p.id) AS groups_in_policy
FROM entra_rollout_policies AS p
LEFT JOIN entra_rollout_policy_groups AS pg ON pg.policy_id = p.id
LEFT JOIN entra_groups AS g ON g.id = pg.group_id
LEFT JOIN members AS m ON m.group_id = pg.group_id
LEFT JOIN transitive AS t ON t.group_id = pg.group_id
ORDER BY lower(p.feature) <> 'multifactorauthentication', policy, group_name

-- name: rollout_routed
-- Per MFA rollout group: how many routed (direct) members are MFA Server users already migrated and
-- unchanged since (the datafile's bookkeeping or this tool's migration marks); __plan__ gives the match.
WITH routed AS (
  SELECT DISTINCT pg.group_id, m.member_id AS entra_id
  FROM entra_rollout_policies AS p
  JOIN entra_rollout_policy_groups AS pg ON pg.policy_id = p.id
  JOIN entra_group_members AS m ON m.group_id = pg.group_id AND m.member_type = 'user'
  WHERE lower(p.feature) = 'multifactorauthentication' AND coalesce(p.is_enabled, false)
),
mfa AS (
  SELECT
    p.entra_id,
    bool_or(coalesce(greatest(nullif(trim(u.last_migrated_at), ''), mm.last_migrated_at)
                     >= nullif(trim(u.modified_at), ''), false)) AS up_to_date
  FROM __plan__ AS p
  JOIN mfa_users AS u ON u.user_id = p.user_id
  LEFT JOIN migration_marks AS mm ON mm.username = u.username
  WHERE p.item = 'user' AND p.entra_id IS NOT NULL
  GROUP BY p.entra_id
)
SELECT
  r.group_id,
  count(*) AS routed,
  count(*) FILTER (WHERE f.entra_id IS NOT NULL) AS on_mfa_server,
  count(*) FILTER (WHERE f.up_to_date) AS migrated
FROM routed AS r
LEFT JOIN mfa AS f ON f.entra_id = r.entra_id
GROUP BY r.group_id

-- name: domains
-- Federation per domain: the cut-over flag and the federation settings (no signing certificates shown).
SELECT
  id AS domain,
  authentication_type,
  is_verified,
  federated_idp_mfa_behavior,
  json_extract_string(federation, '$[0].issuerUri') AS issuer,
  json_extract_string(federation, '$[0].passiveSignInUri') AS sign_in_uri,
  json_extract_string(federation, '$[0].preferredAuthenticationProtocol') AS protocol
FROM entra_domains
ORDER BY authentication_type = 'Managed', id

-- name: batch_rows_summary
-- A batch's frozen plan rows counted by item, action and who writes them.
SELECT item, action, writable, count(*) AS rows
FROM batch_rows WHERE batch_id = $batch_id
GROUP BY item, action, writable
ORDER BY item, rows DESC

-- name: batch_rows_page
-- A batch's frozen plan rows (what the approver approves), optionally filtered, first $limit.
SELECT r.username, r.upn, r.item, r.ref, r.action, r.value, r.reason, r.writable
FROM batch_rows AS r
WHERE r.batch_id = $batch_id
  AND ($text = '' OR r.username ILIKE '%' || $text || '%' OR r.upn ILIKE '%' || $text || '%'
       OR r.action ILIKE '%' || $text || '%')
ORDER BY r.row_no
LIMIT $limit

-- name: batch_user_status
-- How far execution got with a batch's users.
SELECT status, count(*) AS users FROM batch_users WHERE batch_id = $batch_id GROUP BY status ORDER BY users DESC

-- name: batch_verification
-- The latest verification of a batch: per plan row, predicted against actual.
WITH latest AS (SELECT max(verified_at) AS at FROM verifications WHERE batch_id = $batch_id)
SELECT v.username, v.item, v.ref, v.action, v.writable, v.predicted, v.actual, v.outcome, v.verified_at
FROM verifications AS v, latest
WHERE v.batch_id = $batch_id AND v.verified_at = latest.at
ORDER BY v.outcome = 'agrees', v.username, v.item

-- name: mfa_user_groups
-- MFA Server user groups with their user counts (batch selection by group).
SELECT coalesce(nullif(trim(user_group), ''), '(no group)') AS user_group, count(*) AS users
FROM mfa_users GROUP BY 1 ORDER BY users DESC, 1

-- name: select_mfa_group
-- MFA Server user ids in the given user groups ('(no group)' = none set).
SELECT user_id FROM mfa_users
WHERE list_contains($groups, coalesce(nullif(trim(user_group), ''), '(no group)'))
ORDER BY user_id

-- name: plan_actions
-- The (item, action) pairs present in the plan, for the batch filter.
SELECT item, action, count(*) AS rows FROM __plan__ WHERE item <> 'user' GROUP BY item, action ORDER BY item, rows DESC

-- name: resolve_users
-- Hand-picked batch users: each name (username as stored, or the matched Entra UPN; case-insensitive)
-- with the MFA Server user it names, NULL user_id when it names nobody.
WITH wanted AS (
  SELECT DISTINCT lower(trim(n)) AS name FROM unnest($names) AS t(n) WHERE trim(n) <> ''
),
known AS (
  SELECT u.user_id, lower(u.username) AS username, lower(p.upn) AS upn
  FROM mfa_users AS u
  LEFT JOIN __plan__ AS p ON p.user_id = u.user_id AND p.item = 'user'
)
SELECT w.name, k.user_id
FROM wanted AS w
LEFT JOIN known AS k ON w.name = k.username OR w.name = k.upn
ORDER BY w.name

-- name: batch_is_campaign
-- Whether a batch is a re-registration campaign (its options, frozen at creation).
SELECT coalesce(try_cast(json_extract_string(options_json, '$.campaign') AS BOOLEAN), false)
FROM batches WHERE batch_id = $batch_id
