-- id: unknown_outcomes
-- title: Outcomes unknown because the source is the Export Users CSV
-- severity: info
-- why: The console's Export Users CSV carries no devices and no secrets, so what happens to
--   Authenticator devices and OATH tokens cannot be predicted; those rows are "unknown", never guessed.
-- remediation: Load a copy of PhoneFactor.pfdata instead of the CSV to predict devices and tokens.
WITH unknown AS (
  SELECT p.user_id, count(*) AS outcomes, string_agg(DISTINCT p.item, ', ' ORDER BY p.item) AS items
  FROM __plan__ p
  WHERE p.action = 'unknown'
  GROUP BY p.user_id
)
SELECT
  'user' AS subject_type,
  CAST(k.user_id AS VARCHAR) AS subject_id,
  k.user_id,
  u.username,
  u.upn,
  format('{} outcome(s) unknown: {}', k.outcomes, k.items) AS detail
FROM unknown k
JOIN rd_users u USING (user_id)
ORDER BY k.user_id;
