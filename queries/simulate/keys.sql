-- Stage 1a: the match keys (docs/simulate.md) and the normalised MFA Server fields every later stage
-- reads. Keys: upn = lower(username) vs lower(userPrincipalName), untrimmed; sid exact; attribute =
-- the configured MFA field vs the configured Entra property, trimmed and lower-cased. Absent values
-- (NULL or blank) never match: their key is NULL.
-- Output: view sim_mfa_all (every MFA user, normalised), sim_entra_keys, and sim_mfa (the match keys of
-- the users this run matches; only the keys are stored, change.sql reads the rest from the view).
-- Every MFA Server user, normalised once (a view: a restricted run computes only what it reads).
CREATE OR REPLACE TEMP VIEW sim_mfa_all AS
SELECT
  u.user_id,
  u.username,
  u.enabled,
  u.details_known,
  u.method,
  CASE WHEN sim_present(u.username) THEN lower(u.username) END AS upn_key,
  sim_clean(u.object_sid) AS sid_key,
  lower(sim_trimmed(CASE s.attr_mfa
    WHEN 'username'   THEN u.username
    WHEN 'email'      THEN u.email
    WHEN 'object_sid' THEN u.object_sid
    -- account: drop everything up to the first '\' (DOMAIN\), then everything from the first '@'
    WHEN 'account'    THEN split_part(
      CASE WHEN strpos(u.username, '\') > 0 THEN substr(u.username, strpos(u.username, '\') + 1)
           ELSE u.username END, '@', 1)
  END)) AS attr_key,
  CASE WHEN sim_present(u.modified_at) THEN u.modified_at END AS modified_at,
  CASE WHEN sim_present(u.last_migrated_at) THEN u.last_migrated_at END AS last_migrated_at,
  u.migrated_selection,
  sim_present(u.phone) AS has_phone,
  sim_trimmed(u.extension) AS ext,
  sim_present(u.backup_phone) AS has_backup,
  sim_trimmed(u.backup_extension) AS bext,
  CASE WHEN sim_present(u.oath_serial) THEN u.oath_serial END AS oath_serial,
  lower(sim_trimmed(u.oath_kind)) AS oath_kind,
  lower(sim_clean(u.oath_secret_sha256)) AS oath_secret
FROM mfa_users u, sim_settings s;

CREATE OR REPLACE TEMP TABLE sim_entra_keys AS
SELECT
  e.rowid AS eid,  -- an integer handle: grouping and joining on it beats the VARCHAR id
  CASE WHEN sim_present(e.user_principal_name) THEN lower(e.user_principal_name) END AS upn_key,
  sim_clean(e.on_premises_security_identifier) AS sid_key,
  lower(sim_trimmed(CASE s.attr_entra
    WHEN 'userPrincipalName'        THEN e.user_principal_name
    WHEN 'mail'                     THEN e.mail
    WHEN 'onPremisesSamAccountName' THEN e.on_premises_sam_account_name
    WHEN 'employeeId'               THEN e.employee_id
    WHEN 'onPremisesImmutableId'    THEN e.on_premises_immutable_id
  END)) AS attr_key
FROM entra_users e, sim_settings s;

-- The users this run matches: everyone (a restricted run fills sim_mfa from subjects.sql instead).
CREATE OR REPLACE TEMP TABLE sim_mfa AS
SELECT user_id, upn_key, sid_key, attr_key FROM sim_mfa_all WHERE NOT (SELECT restricted FROM sim_settings);
