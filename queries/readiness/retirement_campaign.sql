-- id: retirement_campaign
-- title: Registration campaign off, unknown, or not reaching the users who need a new method
-- severity: info
-- why: Entra's registration campaign (authentication methods policy, registrationEnforcement) prompts
--   users at sign-in to register Microsoft Authenticator. While users lack an app-based or
--   phishing-resistant method, a campaign that is disabled, excludes them, or targets a method they
--   already have does not help them; a snapshot without the campaign settings cannot tell (not read).
-- remediation: Enable the campaign for all users (or a group holding them) and remove them from its
--   exclusions; collect the snapshot again (mfa-migrate snapshot) when its settings were not read.
WITH needing AS (
  SELECT a.entra_id, a.usable_bits
  FROM rd_after_date a
  WHERE a.known AND NOT a.unknown_outcome AND a.usable_bits & 408 = 0
),
campaign AS (SELECT * FROM entra_registration_campaign LIMIT 1),
targets AS (
  SELECT 'include' AS side, json_extract_string(t, '$.id') AS id,
         lower(coalesce(json_extract_string(t, '$.targetType'), 'group')) AS target_type,
         CASE lower(coalesce(json_extract_string(t, '$.targetedAuthenticationMethod'), 'microsoftauthenticator'))
           WHEN 'microsoftauthenticator' THEN 8 WHEN 'fido2' THEN 128 WHEN 'passkey' THEN 128 ELSE 0 END AS bit
  FROM (SELECT unnest(json_extract(include_targets, '$[*]')) AS t FROM campaign)
  UNION ALL
  SELECT 'exclude', json_extract_string(t, '$.id'),
         lower(coalesce(json_extract_string(t, '$.targetType'), 'group')), 0
  FROM (SELECT unnest(json_extract(exclude_targets, '$[*]')) AS t FROM campaign)
),
hits AS (  -- which needing users each target reaches
  SELECT n.entra_id, t.side, t.bit, n.usable_bits
  FROM targets t
  JOIN needing n ON t.id = 'all_users' OR (t.target_type = 'user' AND t.id = n.entra_id)
  UNION ALL
  SELECT n.entra_id, t.side, t.bit, n.usable_bits
  FROM targets t
  JOIN entra_group_transitive_users g ON t.target_type = 'group' AND g.group_id = t.id
  JOIN needing n ON n.entra_id = g.user_id
),
reached AS (
  SELECT count(*) AS users FROM (
    SELECT entra_id
    FROM hits
    GROUP BY entra_id, usable_bits
    HAVING bool_or(side = 'include' AND bit <> 0 AND usable_bits & bit = 0)
       AND NOT bool_or(side = 'exclude')
  )
),
facts AS (
  SELECT (SELECT count(*) FROM needing) AS needing,
         (SELECT count(*) FROM campaign) AS read,
         (SELECT any_value(lower(coalesce(state, ''))) FROM campaign) AS state,
         (SELECT users FROM reached) AS reached
)
SELECT
  'policy' AS subject_type,
  'registrationCampaign' AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  CASE
    WHEN f.read = 0 THEN format('{} user(s) need a new method, and the snapshot holds no registration campaign '
                                'settings (not read), so whether they are prompted is unknown', f.needing)
    WHEN f.state = 'disabled' THEN format('the registration campaign is disabled; {} user(s) need a new method',
                                          f.needing)
    ELSE format('the registration campaign ({}) prompts {} of the {} user(s) who need a new method',
                CASE f.state WHEN 'default' THEN 'Microsoft-managed' ELSE coalesce(nullif(f.state, ''), 'state not given') END,
                f.reached, f.needing)
  END AS detail
FROM facts f
WHERE f.needing > 0 AND (f.read = 0 OR f.state = 'disabled' OR f.reached < f.needing);
