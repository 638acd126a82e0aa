-- id: over_five_devices
-- title: MFA Server users with more than 5 Authenticator devices
-- severity: info
-- why: The MFA User Portal allowed up to 10 mobile-app activations per user; Entra allows 5 methods of
--   that kind in total. These users will lose devices whatever the settings (see devices_skipped for
--   exactly which).
-- remediation: Ask these users to remove devices they no longer use before migrating.
WITH d AS (
  SELECT user_id, count(*) AS devices FROM mfa_devices GROUP BY user_id HAVING count(*) > 5
)
SELECT
  'user' AS subject_type,
  CAST(d.user_id AS VARCHAR) AS subject_id,
  d.user_id,
  u.username,
  u.upn,
  format('{} Authenticator devices in MFA Server; Entra keeps at most {}', d.devices,
         CASE WHEN u.has_token THEN '4 next to a hardware token' ELSE '5' END) AS detail
FROM d
JOIN rd_users u USING (user_id)
WHERE u.counted
ORDER BY d.user_id;
