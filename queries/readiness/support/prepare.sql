-- Temp tables shared by the readiness checks, built once per run on the caller's connection (temp
-- objects also work on a read-only workspace). Every name starts with rd_ so nothing collides with the
-- workspace. Needs rd_settings (support/settings.sql) and the simulator's `plan` table.

-- What the tenant's authentication methods policy allows. A snapshot without the policy allows
-- everything (DESIGN 4.7); `known` says which case applies. A configuration missing from a present
-- policy is not enabled; office phones also need Voice's isOfficePhoneAllowed.
CREATE OR REPLACE TEMP TABLE rd_policy AS
WITH t AS (SELECT coalesce(bool_or(has_methods_policy), false) AS known FROM tenant_info),
c AS (
  SELECT lower(config_id) AS id,
         bool_or(lower(state) = 'enabled') AS enabled,
         bool_or(lower(state) = 'enabled' AND coalesce(is_office_phone_allowed, false)) AS office
  FROM entra_method_configs GROUP BY 1
)
SELECT
  t.known,
  NOT t.known OR coalesce((SELECT enabled FROM c WHERE id = 'microsoftauthenticator'), false) AS push,
  NOT t.known OR coalesce((SELECT enabled FROM c WHERE id = 'softwareoath'), false)           AS software_oath,
  NOT t.known OR coalesce((SELECT enabled FROM c WHERE id = 'hardwareoath'), false)           AS hardware_oath,
  NOT t.known OR coalesce((SELECT enabled FROM c WHERE id = 'sms'), false)                    AS sms,
  NOT t.known OR coalesce((SELECT enabled FROM c WHERE id = 'voice'), false)                  AS voice,
  NOT t.known OR coalesce((SELECT office FROM c WHERE id = 'voice'), false)                   AS voice_office,
  NOT t.known OR coalesce((SELECT enabled FROM c WHERE id = 'fido2'), false)                  AS fido2,
  NOT t.known OR coalesce((SELECT enabled FROM c WHERE id = 'windowshelloforbusiness'), false) AS windows_hello
FROM t;

-- One row per MFA Server user with their plan outcome, matched Entra account and migration state.
-- `counted`: the migration means to carry this user (everyone but disabled users that the settings
-- skip); the readiness score counts exactly these users. `up_to_date`: Entra holds the user's current
-- MFA Server data (migrated, by the datafile's bookkeeping or this tool's marks, and not changed since).
CREATE OR REPLACE TEMP TABLE rd_users AS
SELECT
  *,
  coalesce(last_migrated_at IS NOT NULL AND modified_at <= last_migrated_at, false) AS up_to_date
FROM (
  SELECT
    m.user_id,
    m.username,
    coalesce(nullif(trim(m.user_group), ''), '(no group)') AS user_group,
    m.enabled,
    m.method,
    m.phone_mode,
    m.app_mode,
    nullif(trim(m.oath_serial), '') AS oath_serial,
    nullif(trim(m.backup_phone), '') IS NOT NULL AS has_backup_phone,
    nullif(trim(m.modified_at), '') AS modified_at,
    greatest(nullif(trim(m.last_migrated_at), ''), mm.last_migrated_at) AS last_migrated_at,
    p.entra_id,
    p.upn,
    p.action AS user_action,
    e.account_enabled,
    e.user_type,
    e.on_premises_sync_enabled,
    nullif(trim(e.preferred_method), '') AS preferred_method,
    e.system_preferred_enabled,
    e.methods_error,
    NOT (NOT m.enabled AND s.skip_disabled) AS counted
  FROM mfa_users m
  CROSS JOIN rd_settings s
  LEFT JOIN plan p ON p.user_id = m.user_id AND p.item = 'user'
  LEFT JOIN entra_users e ON e.id = p.entra_id
  LEFT JOIN migration_marks mm ON mm.username = m.username
);

-- Which MFA methods each migrated or migrating user will have in Entra after the plan (Entra's
-- current methods plus the plan's writes), and whether the policy lets them use any of them:
-- `strong` = an allowed app, OATH, FIDO2 or Windows Hello method; `phone` = an allowed phone method.
-- Each OATH kind needs its own configuration (SoftwareOath, HardwareOath): stricter than the default-method
-- rule of DESIGN 4.7, because a hardware token with HardwareOath disabled cannot be used to sign in.
-- `unknown`: the plan could not predict some outcome (Export Users CSV), so the list may be incomplete.
CREATE OR REPLACE TEMP TABLE rd_after AS
WITH scope AS (
  SELECT user_id, entra_id FROM rd_users WHERE user_action IN ('migrate', 'unchanged')
),
ent AS (
  SELECT s.user_id,
         bool_or(em.kind = 'phone' AND em.phone_type = 'mobile')          AS mobile,
         bool_or(em.kind = 'phone' AND em.phone_type = 'alternateMobile') AS alternate,
         bool_or(em.kind = 'phone' AND em.phone_type = 'office')          AS office,
         bool_or(em.kind = 'authenticator')                               AS push,
         bool_or(em.kind = 'software_oath')                               AS software_oath,
         bool_or(em.kind = 'hardware_oath')                               AS hardware_oath,
         bool_or(em.kind = 'fido2')                                       AS fido2,
         bool_or(em.kind = 'windows_hello')                               AS windows_hello
  FROM scope s JOIN entra_methods em ON em.user_id = s.entra_id
  GROUP BY s.user_id
),
pl AS (
  SELECT p.user_id,
         bool_or(p.item = 'phone' AND (p.action IN ('write_mobile', 'write_mobile_drop_extension')
                 OR (p.action = 'noop' AND p.value NOT LIKE '%x%')))                            AS mobile,
         bool_or(p.item = 'backup_phone' AND (p.action = 'write_alternate'
                 OR (p.action = 'noop' AND p.value NOT LIKE '%x%')))                            AS alternate,
         bool_or(p.action = 'write_office' OR (p.action = 'noop' AND p.value LIKE '%x%'))       AS office,
         bool_or(p.action IN ('create_device', 'update_device'))                                AS push,
         bool_or(p.action = 'create_software_oath')                                             AS software_oath,
         bool_or(p.action IN ('create_hardware_oath', 'update_oath'))                           AS hardware_oath,
         bool_or(p.action = 'unknown')                                                          AS unknown
  FROM plan p
  WHERE p.item IN ('phone', 'backup_phone', 'device', 'oath_token')
  GROUP BY p.user_id
),
has AS (
  SELECT s.user_id,
         coalesce(ent.mobile, false) OR coalesce(pl.mobile, false)               AS mobile,
         coalesce(ent.alternate, false) OR coalesce(pl.alternate, false)         AS alternate,
         coalesce(ent.office, false) OR coalesce(pl.office, false)               AS office,
         coalesce(ent.push, false) OR coalesce(pl.push, false)                   AS push,
         coalesce(ent.software_oath, false) OR coalesce(pl.software_oath, false) AS software_oath,
         coalesce(ent.hardware_oath, false) OR coalesce(pl.hardware_oath, false) AS hardware_oath,
         coalesce(ent.fido2, false)                                               AS fido2,
         coalesce(ent.windows_hello, false)                                       AS windows_hello,
         coalesce(pl.unknown, false)                                              AS unknown
  FROM scope s LEFT JOIN ent USING (user_id) LEFT JOIN pl USING (user_id)
)
SELECT
  has.*,
  (has.push AND pol.push) OR (has.software_oath AND pol.software_oath)
    OR (has.hardware_oath AND pol.hardware_oath) OR (has.fido2 AND pol.fido2)
    OR (has.windows_hello AND pol.windows_hello)                                  AS strong,
  (has.mobile AND (pol.sms OR pol.voice)) OR (has.alternate AND pol.voice)
    OR (has.office AND pol.voice_office)                                          AS phone
FROM has CROSS JOIN rd_policy pol;

-- Groups that Staged Rollout policies for MFA target (the feature that routes users to cloud MFA).
CREATE OR REPLACE TEMP TABLE rd_rollout_groups AS
SELECT DISTINCT
  p.id AS policy_id,
  coalesce(p.display_name, p.id) AS policy_name,
  coalesce(p.is_enabled, false) AS policy_enabled,
  pg.group_id,
  coalesce(g.display_name, pg.group_id) AS group_name,
  coalesce(g.is_dynamic, false) AS is_dynamic,
  g.membership_rule
FROM entra_rollout_policies p
JOIN entra_rollout_policy_groups pg ON pg.policy_id = p.id
LEFT JOIN entra_groups g ON g.id = pg.group_id
WHERE lower(p.feature) = 'multifactorauthentication';

-- How far the user migration has come: `pending` users are counted but Entra does not hold their
-- current data yet. Drives the federation checks and the runbook.
CREATE OR REPLACE TEMP TABLE rd_progress AS
SELECT
  count(*) FILTER (WHERE counted)                          AS users,
  count(*) FILTER (WHERE counted AND up_to_date)           AS up_to_date,
  count(*) FILTER (WHERE counted AND last_migrated_at IS NOT NULL) AS migrated_ever,
  count(*) FILTER (WHERE counted AND NOT up_to_date)       AS pending
FROM rd_users;
