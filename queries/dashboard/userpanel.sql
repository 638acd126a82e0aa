-- The user opened on the Users page (analysis/dashboard/userpanel.py).

-- name: findings
-- One user's stored readiness findings (every check), for the per-user view.
SELECT check_id, subject_type, subject_id, detail
FROM dashboard_findings
WHERE user_id = $user_id
ORDER BY check_id, subject_id

-- name: candidates
-- Every Entra account an MFA Server user's match keys point at, by step, and the other MFA Server users
-- that claim the same account: what an ambiguous match is made of. Keys by the simulator's own macros
-- (queries/simulate/macros.sql, created on the cursor first). Only the steps in
-- $steps (the settings' match order) count. also_claimed_by: other MFA Server users whose keys point at
-- the same Entra account by any of those steps.
WITH mfa_keys AS (
  SELECT u.user_id, u.username, sim_upn_key(u.username) AS upn_key, sim_sid_key(u.object_sid) AS sid_key,
         sim_mfa_attr_key($attr_mfa, u.username, u.email, u.object_sid) AS attr_key
  FROM mfa_users u
),
entra_keys AS (
  SELECT
    e.id, e.user_principal_name, e.display_name, e.account_enabled, e.user_type, e.on_premises_sync_enabled,
    sim_upn_key(e.user_principal_name) AS upn_key, sim_sid_key(e.on_premises_security_identifier) AS sid_key,
    sim_entra_attr_key($attr_entra, e.user_principal_name, e.mail, e.on_premises_sam_account_name,
                       e.employee_id, e.on_premises_immutable_id) AS attr_key
  FROM entra_users e
),
me AS (SELECT * FROM mfa_keys WHERE user_id = $user_id),
candidates AS (
  SELECT * FROM (
    SELECT 'upn' AS step, e.* FROM entra_keys e, me WHERE e.upn_key = me.upn_key
    UNION ALL SELECT 'sid', e.* FROM entra_keys e, me WHERE e.sid_key = me.sid_key
    UNION ALL SELECT 'attribute', e.* FROM entra_keys e, me WHERE e.attr_key = me.attr_key
  ) WHERE list_contains($steps, step)
),
accounts AS (SELECT DISTINCT id, upn_key, sid_key, attr_key FROM candidates),
claims AS (
  SELECT a.id, string_agg(DISTINCT o.username, ', ' ORDER BY o.username) AS others
  FROM accounts a
  JOIN mfa_keys o ON o.user_id <> $user_id AND (
       (list_contains($steps, 'upn') AND o.upn_key = a.upn_key)
    OR (list_contains($steps, 'sid') AND o.sid_key = a.sid_key)
    OR (list_contains($steps, 'attribute') AND o.attr_key = a.attr_key))
  GROUP BY a.id
)
SELECT c.step, c.id AS entra_id, c.user_principal_name AS upn, c.display_name, c.account_enabled,
       c.user_type, c.on_premises_sync_enabled, cl.others AS also_claimed_by
FROM candidates c
LEFT JOIN claims cl ON cl.id = c.id
ORDER BY CASE c.step WHEN 'upn' THEN 1 WHEN 'sid' THEN 2 ELSE 3 END, c.user_principal_name
