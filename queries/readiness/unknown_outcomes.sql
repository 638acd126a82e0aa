-- id: unknown_outcomes
-- title: Outcomes unknown because the source is the Export Users CSV
-- severity: info
-- why: The console's Export Users CSV carries no devices and no secrets, so what happens to
--   Authenticator devices and OATH tokens cannot be predicted; those rows are "unknown", never guessed.
-- remediation: Load a copy of PhoneFactor.pfdata instead of the CSV to predict devices and tokens.
SELECT
  'user' AS subject_type,
  CAST(p.user_id AS VARCHAR) AS subject_id,
  p.user_id,
  any_value(p.username) AS username,
  any_value(p.upn) AS upn,
  format('{} outcome(s) unknown: {}', count(*), string_agg(DISTINCT p.item, ', ' ORDER BY p.item)) AS detail
FROM plan p
WHERE p.action = 'unknown'
GROUP BY p.user_id
ORDER BY p.user_id;
