-- Stage 1: match every MFA Server user to an Entra user (DESIGN 4.2, 4.9).
-- The steps run in the configured order and the first step that finds *any* Entra user decides:
-- one hit = matched, several = ambiguous (no fall-through to later steps). Users whose deciding step
-- found exactly one Entra user are then counted per Entra user (`sharers`); more than one makes all of
-- them ambiguous. Keys: upn = lower(username) vs lower(userPrincipalName), untrimmed; sid exact;
-- attribute = the configured MFA field vs the configured Entra property, trimmed and lower-cased.
-- Absent values (NULL or blank) never match: their key is NULL.
-- Restricted runs (simulate_users) match only the subject users plus every MFA user that could match
-- the same Entra users, which is exactly what the sharers count needs.
-- Output: sim_match(user_id, step, hits, entra_id, sharers); users without any hit have no row.
CREATE OR REPLACE TEMP TABLE sim_entra_keys AS
SELECT
  e.id,
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

CREATE OR REPLACE TEMP TABLE sim_mfa_keys AS
SELECT
  u.user_id,
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
  END)) AS attr_key
FROM mfa_users u, sim_settings s;

-- In a restricted run, keep only the subject users and the users that share a key with an Entra user
-- the subject users hit (a superset of everyone whose match can affect theirs).
CREATE OR REPLACE TEMP TABLE sim_mk AS
WITH subj AS (
  SELECT k.* FROM sim_mfa_keys k WHERE k.user_id IN (SELECT user_id FROM sim_subject)
),
hit AS (
  SELECT e.* FROM sim_entra_keys e
  WHERE e.upn_key IN (SELECT upn_key FROM subj)
     OR e.sid_key IN (SELECT sid_key FROM subj)
     OR e.attr_key IN (SELECT attr_key FROM subj)
)
SELECT k.* FROM sim_mfa_keys k, sim_settings s WHERE NOT s.restricted
UNION ALL
SELECT k.* FROM sim_mfa_keys k, sim_settings s
WHERE s.restricted AND (
     k.user_id IN (SELECT user_id FROM subj)
  OR k.upn_key IN (SELECT upn_key FROM hit)
  OR k.sid_key IN (SELECT sid_key FROM hit)
  OR k.attr_key IN (SELECT attr_key FROM hit));

CREATE OR REPLACE TEMP TABLE sim_match AS
WITH hits AS (
  SELECT m.user_id, 'upn' AS step, any_value(s.upn_pos) AS pos,
         count(*) AS hits, min(e.id) AS entra_id
  FROM sim_mk m JOIN sim_entra_keys e ON e.upn_key = m.upn_key, sim_settings s
  WHERE s.upn_pos IS NOT NULL
  GROUP BY m.user_id
  UNION ALL
  SELECT m.user_id, 'sid', any_value(s.sid_pos), count(*), min(e.id)
  FROM sim_mk m JOIN sim_entra_keys e ON e.sid_key = m.sid_key, sim_settings s
  WHERE s.sid_pos IS NOT NULL
  GROUP BY m.user_id
  UNION ALL
  SELECT m.user_id, 'attribute', any_value(s.attr_pos), count(*), min(e.id)
  FROM sim_mk m JOIN sim_entra_keys e ON e.attr_key = m.attr_key, sim_settings s
  WHERE s.attr_pos IS NOT NULL
  GROUP BY m.user_id
),
first AS (
  SELECT user_id, arg_min(step, pos) AS step, arg_min(hits, pos) AS hits, arg_min(entra_id, pos) AS entra_id
  FROM hits
  GROUP BY user_id
)
SELECT f.*,
       CASE WHEN f.hits = 1 THEN count(*) OVER (PARTITION BY f.hits = 1, f.entra_id) END AS sharers
FROM first f;
