-- Stage 1a: the match keys (the sim_*_key macros in macros.sql) and the normalised MFA Server fields
-- every later stage reads. Absent values (NULL or blank) never match: their key is NULL.
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
  sim_upn_key(u.username) AS upn_key,
  sim_sid_key(u.object_sid) AS sid_key,
  sim_mfa_attr_key(s.attr_mfa, u.username, u.email, u.object_sid) AS attr_key,
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
  sim_upn_key(e.user_principal_name) AS upn_key,
  sim_sid_key(e.on_premises_security_identifier) AS sid_key,
  sim_entra_attr_key(s.attr_entra, e.user_principal_name, e.mail, e.on_premises_sam_account_name,
                     e.employee_id, e.on_premises_immutable_id) AS attr_key
FROM entra_users e, sim_settings s;

-- The users this run matches: everyone (a restricted run fills sim_mfa from subjects.sql instead).
CREATE OR REPLACE TEMP TABLE sim_mfa AS
SELECT user_id, upn_key, sid_key, attr_key FROM sim_mfa_all WHERE NOT (SELECT restricted FROM sim_settings);
