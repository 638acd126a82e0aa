-- Temp tables shared by the readiness checks, built once per run on the caller's connection (temp
-- objects also work on a read-only workspace). Every name starts with rd_ so nothing collides with the
-- workspace. Needs the simulator's sim_settings (simulate/settings.sql, the plan's settings) and the
-- plan table __plan__.

-- What the tenant's authentication methods policy allows. A snapshot without the policy allows
-- everything (docs/simulate.md); `known` says which case applies. A configuration missing from a present
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

-- One row per MFA Server user: names, plan outcome, matched Entra account and migration state.
-- The matched Entra account is kept as `entra_key`, a 64-bit hash of its id (NULL when unmatched):
-- joining on an integer is far cheaper than on a 36-character id over a million users; join other tables
-- with `hash(<their Entra id>) = entra_key`. Two tenant ids sharing a hash (odds about 1 in 10^7 for a
-- million users) would mix up two accounts. The
-- checks filter the stored tables (cheap: their low-cardinality columns are dictionary-compressed) and
-- take names and attributes from here by user_id, instead of decompressing a million usernames and UPNs
-- again in every check.
-- `counted`: the migration means to carry this user (everyone but disabled users that the settings
-- skip); the readiness score counts exactly these users. `up_to_date`: Entra holds the user's current
-- MFA Server data (migrated, by the datafile's bookkeeping or this tool's marks, and not changed since).
CREATE OR REPLACE TEMP TABLE rd_users AS
SELECT
  * EXCLUDE (modified_at),
  coalesce(last_migrated_at IS NOT NULL AND modified_at <= last_migrated_at, false) AS up_to_date
FROM (
  SELECT
    m.user_id,
    m.username,
    CASE WHEN p.entra_id IS NOT NULL THEN hash(p.entra_id) END AS entra_key,
    p.upn,
    p.action AS user_action,
    CASE WHEN p.action IN ('unmatched', 'ambiguous') THEN p.reason END AS user_reason,
    NOT (NOT m.enabled AND s.skip_disabled) AS counted,
    m.enabled,
    coalesce(nullif(m.user_group, ''), '(no group)') AS user_group,
    m.method,
    nullif(trim(m.oath_serial), '') IS NOT NULL AS has_token,
    nullif(trim(m.backup_phone), '') IS NOT NULL AS has_backup_phone,
    lower(m.phone_mode) = 'pin' AS phone_pin,
    lower(m.app_mode) = 'pin' AS app_pin,
    nullif(trim(m.modified_at), '') AS modified_at,
    greatest(nullif(trim(m.last_migrated_at), ''), mm.last_migrated_at) AS last_migrated_at,
    e.account_enabled,
    lower(e.user_type) = 'guest' AS is_guest,
    e.on_premises_sync_enabled,
    nullif(e.preferred_method, '') AS preferred_method,  -- Graph's enum values: no padding to trim
    e.system_preferred_enabled,
    nullif(e.methods_error, '') AS methods_error
  FROM mfa_users m
  CROSS JOIN sim_settings s
  LEFT JOIN __plan__ p ON p.user_id = m.user_id AND p.item = 'user'
  LEFT JOIN entra_users e ON hash(e.id) = hash(p.entra_id)
  LEFT JOIN migration_marks mm ON mm.username = m.username
);

-- The numbers and extensions as entered, for the few users whose phone findings print them (one scan of
-- mfa_users instead of one per phone check).
CREATE OR REPLACE TEMP TABLE rd_phones_entered AS
SELECT m.user_id, m.country_code, m.phone, m.extension, m.backup_country_code, m.backup_phone, m.backup_extension
FROM mfa_users m
WHERE m.user_id IN (
  SELECT user_id FROM __plan__
  WHERE item IN ('phone', 'backup_phone')
    AND action IN ('invalid_number', 'invalid_extension', 'write_mobile_drop_extension', 'skip_both_extensions')
);

-- Which MFA methods each migrated or migrating user will have in Entra after the plan (Entra's
-- current methods plus the plan's writes), and whether the policy lets them use any of them:
-- `strong` = an allowed app, OATH, FIDO2 or Windows Hello method; `phone` = an allowed phone method.
-- Each OATH kind needs its own configuration (SoftwareOath, HardwareOath): stricter than the default-method
-- rule of the simulator, because a hardware token with HardwareOath disabled cannot be used to sign in.
-- `unknown`: the plan could not predict some outcome (Export Users CSV), so the list may be incomplete.
-- Methods are collected as bit flags (one integer OR per user is much cheaper than a boolean per kind):
--   1 mobile, 2 alternate, 4 office, 8 Authenticator, 16 software OATH, 32 hardware OATH,
--   64 unknown outcome, 128 FIDO2, 256 Windows Hello.
CREATE OR REPLACE TEMP TABLE rd_after AS
WITH scope AS (
  SELECT user_id, entra_key FROM rd_users WHERE user_action IN ('migrate', 'unchanged')
),
flags AS (
  SELECT p.user_id,
         CASE
           WHEN p.action IN ('write_mobile', 'write_mobile_drop_extension') THEN 1
           WHEN p.action = 'write_alternate' THEN 2
           WHEN p.action = 'write_office' THEN 4
           WHEN p.action = 'noop' THEN CASE WHEN p.value LIKE '%x%' THEN 4 WHEN p.item = 'phone' THEN 1 ELSE 2 END
           WHEN p.action IN ('create_device', 'update_device') THEN 8
           WHEN p.action = 'create_software_oath' THEN 16
           WHEN p.action IN ('create_hardware_oath', 'update_oath') THEN 32
           WHEN p.action = 'unknown' THEN 64
           ELSE 0
         END AS f
  FROM __plan__ p
  WHERE p.item IN ('phone', 'backup_phone', 'device', 'oath_token')
    AND p.action IN ('write_mobile', 'write_mobile_drop_extension', 'write_alternate', 'write_office', 'noop',
                     'create_device', 'update_device', 'create_software_oath', 'create_hardware_oath',
                     'update_oath', 'unknown')
  UNION ALL
  SELECT s.user_id,
         CASE em.kind
           WHEN 'phone' THEN CASE em.phone_type WHEN 'mobile' THEN 1 WHEN 'alternateMobile' THEN 2
                                                WHEN 'office' THEN 4 ELSE 0 END
           WHEN 'authenticator' THEN 8
           WHEN 'software_oath' THEN 16
           WHEN 'hardware_oath' THEN 32
           WHEN 'fido2' THEN 128
           WHEN 'windows_hello' THEN 256
         END
  FROM entra_methods em
  JOIN scope s ON s.entra_key = hash(em.user_id)
  WHERE em.kind IN ('phone', 'authenticator', 'software_oath', 'hardware_oath', 'fido2', 'windows_hello')
),
per_user AS (
  SELECT s.user_id, coalesce(bit_or(f.f), 0) AS f
  FROM scope s LEFT JOIN flags f USING (user_id)
  GROUP BY s.user_id
),
has AS (
  SELECT
    user_id,
    f & 1 <> 0 AS mobile,
    f & 2 <> 0 AS alternate,
    f & 4 <> 0 AS office,
    f & 8 <> 0 AS push,
    f & 16 <> 0 AS software_oath,
    f & 32 <> 0 AS hardware_oath,
    f & 128 <> 0 AS fido2,
    f & 256 <> 0 AS windows_hello,
    f & 64 <> 0 AS unknown
  FROM per_user
)
SELECT
  has.*,
  (has.push AND pol.push) OR (has.software_oath AND pol.software_oath)
    OR (has.hardware_oath AND pol.hardware_oath) OR (has.fido2 AND pol.fido2)
    OR (has.windows_hello AND pol.windows_hello)                                  AS strong,
  (has.mobile AND (pol.sms OR pol.voice)) OR (has.alternate AND pol.voice)
    OR (has.office AND pol.voice_office)                                          AS phone
FROM has CROSS JOIN rd_policy pol;

-- MFA Server's enabled authentication services (AD FS, IIS, RADIUS, ...) as service findings, one row
-- each, for the dependency_* checks: they pick theirs by `service` and append their advice to `label`
-- (the name, or the service, with the inventory's detail in brackets). A view: the table is tiny.
CREATE OR REPLACE TEMP VIEW rd_services AS
SELECT
  'service' AS subject_type,
  lower(a.service) || '/' || coalesce(a.name, '') AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  lower(a.service) AS service,
  format('{}{}', coalesce(nullif(a.name, ''), a.service),
         CASE WHEN nullif(trim(a.detail), '') IS NULL THEN '' ELSE format(' ({})', trim(a.detail)) END) AS label,
  coalesce(a.detail, '') AS service_detail
FROM mfa_auth_services a
WHERE a.enabled;

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
