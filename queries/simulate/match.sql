-- Stage 1: match every MFA Server user to an Entra user (DESIGN 4.2, 4.9).
-- The steps run in the configured order and the first step that finds *any* Entra user decides:
-- one hit = matched, several = ambiguous (no fall-through to later steps). Users whose deciding step
-- found exactly one Entra user are then counted per Entra user (`sharers`); more than one makes all of
-- them ambiguous. Keys: upn = lower(username) vs lower(userPrincipalName), untrimmed; sid exact;
-- attribute = the configured MFA field vs the configured Entra property, trimmed and lower-cased.
-- Absent values (NULL or blank) never match: their key is NULL. Entra ids are unique (the loader
-- refuses duplicates), so a key's hit count is a plain count.
-- Restricted runs (simulate_users) match only the subject users plus every MFA user that could match
-- the same Entra users, which is exactly what the sharers count needs.
-- Output: sim_mfa (the normalised MFA Server fields every later stage reads, one row per user in the
-- run) and sim_match(user_id, step, hits, entra_id, upn, preferred, sharers) for users with a hit.

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
  e.id,
  e.user_principal_name AS upn,
  sim_clean(e.preferred_method) AS preferred,
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

-- The users this run plans: everyone, or (restricted) the subject users and the users that share a key
-- with an Entra user the subject users hit (a superset of everyone whose match can affect theirs).
CREATE OR REPLACE TEMP TABLE sim_mfa AS
WITH subj AS (
  SELECT upn_key, sid_key, attr_key FROM sim_mfa_all WHERE user_id IN (SELECT user_id FROM sim_subject)
),
hit AS (
  SELECT e.upn_key, e.sid_key, e.attr_key FROM sim_entra_keys e
  WHERE e.upn_key IN (SELECT upn_key FROM subj)
     OR e.sid_key IN (SELECT sid_key FROM subj)
     OR e.attr_key IN (SELECT attr_key FROM subj)
)
SELECT m.* FROM sim_mfa_all m, sim_settings s WHERE NOT s.restricted
UNION ALL
SELECT m.* FROM sim_mfa_all m, sim_settings s
WHERE s.restricted AND (
     m.user_id IN (SELECT user_id FROM sim_subject)
  OR m.upn_key IN (SELECT upn_key FROM hit)
  OR m.sid_key IN (SELECT sid_key FROM hit)
  OR m.attr_key IN (SELECT attr_key FROM hit));

CREATE OR REPLACE TEMP TABLE sim_match AS
WITH by_upn AS (
  SELECT upn_key AS k, count(*) AS n, min(id) AS id, min(upn) AS upn, min(preferred) AS preferred
  FROM sim_entra_keys WHERE upn_key IS NOT NULL AND (SELECT upn_pos FROM sim_settings) IS NOT NULL GROUP BY 1
),
by_sid AS (
  SELECT sid_key AS k, count(*) AS n, min(id) AS id, min(upn) AS upn, min(preferred) AS preferred
  FROM sim_entra_keys WHERE sid_key IS NOT NULL AND (SELECT sid_pos FROM sim_settings) IS NOT NULL GROUP BY 1
),
by_attr AS (
  SELECT attr_key AS k, count(*) AS n, min(id) AS id, min(upn) AS upn, min(preferred) AS preferred
  FROM sim_entra_keys WHERE attr_key IS NOT NULL AND (SELECT attr_pos FROM sim_settings) IS NOT NULL GROUP BY 1
),
hits AS (
  SELECT m.user_id,
    -- the configured steps in order, as (name, hit) pairs; the first with a hit decides
    CASE s.step1 WHEN 'upn' THEN u.n WHEN 'sid' THEN d.n WHEN 'attribute' THEN a.n END AS n1,
    CASE s.step2 WHEN 'upn' THEN u.n WHEN 'sid' THEN d.n WHEN 'attribute' THEN a.n END AS n2,
    CASE s.step3 WHEN 'upn' THEN u.n WHEN 'sid' THEN d.n WHEN 'attribute' THEN a.n END AS n3,
    s.step1, s.step2, s.step3,
    u.n AS un, u.id AS uid, u.upn AS uupn, u.preferred AS upref,
    d.n AS dn, d.id AS did, d.upn AS dupn, d.preferred AS dpref,
    a.n AS an, a.id AS aid, a.upn AS aupn, a.preferred AS apref
  FROM sim_mfa m
  JOIN sim_settings s ON true
  LEFT JOIN by_upn u ON u.k = m.upn_key
  LEFT JOIN by_sid d ON d.k = m.sid_key
  LEFT JOIN by_attr a ON a.k = m.attr_key
  WHERE u.n IS NOT NULL OR d.n IS NOT NULL OR a.n IS NOT NULL
),
decided AS (
  SELECT user_id,
    CASE WHEN n1 IS NOT NULL THEN step1 WHEN n2 IS NOT NULL THEN step2 WHEN n3 IS NOT NULL THEN step3 END
      AS step,
    * EXCLUDE (user_id)
  FROM hits
),
first AS (
  SELECT user_id, step,
    CASE step WHEN 'upn' THEN un WHEN 'sid' THEN dn ELSE an END AS hits,
    CASE step WHEN 'upn' THEN uid WHEN 'sid' THEN did ELSE aid END AS entra_id,
    CASE step WHEN 'upn' THEN uupn WHEN 'sid' THEN dupn ELSE aupn END AS upn,
    CASE step WHEN 'upn' THEN upref WHEN 'sid' THEN dpref ELSE apref END AS preferred
  FROM decided
  WHERE step IS NOT NULL
)
SELECT f.*,
       CASE WHEN f.hits = 1 THEN count(*) OVER (PARTITION BY f.hits = 1, f.entra_id) END AS sharers
FROM first f;
