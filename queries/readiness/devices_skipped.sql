-- id: devices_skipped
-- title: Authenticator devices and tokens the utility will skip
-- severity: warning
-- why: The utility keeps only the newest of same-named devices, migrates at most 5 devices (4 with a
--   hardware token), and skips anything that would pass Entra's 5-method limit (apps + software OATH +
--   hardware OATH, counting what the user already has in Entra). Skipped devices stop working after the
--   move.
-- remediation: Have the user remove stale devices in the MFA User Portal (or Entra) before migrating, or
--   plan re-registration of the skipped devices at aka.ms/mfasetup.
SELECT
  'user' AS subject_type,
  CAST(p.user_id AS VARCHAR) AS subject_id,
  p.user_id,
  any_value(p.username) AS username,
  any_value(p.upn) AS upn,
  format('{} skipped: {}', count(*), concat_ws(', ',
    CASE WHEN count(*) FILTER (WHERE p.action = 'skip_duplicate_name') > 0
         THEN format('{} duplicate name', count(*) FILTER (WHERE p.action = 'skip_duplicate_name')) END,
    CASE WHEN count(*) FILTER (WHERE p.action = 'skip_over_max') > 0
         THEN format('{} over the cap of 5 (4 with a hardware token)', count(*) FILTER (WHERE p.action = 'skip_over_max')) END,
    CASE WHEN count(*) FILTER (WHERE p.action = 'skip_device_limit' AND p.item = 'device') > 0
         THEN format('{} device over the device limit', count(*) FILTER (WHERE p.action = 'skip_device_limit' AND p.item = 'device')) END,
    CASE WHEN count(*) FILTER (WHERE p.action = 'skip_device_limit' AND p.item = 'oath_token') > 0
         THEN 'hardware token over the device limit' END)) AS detail
FROM plan p
WHERE (p.item = 'device' AND p.action IN ('skip_duplicate_name', 'skip_over_max', 'skip_device_limit'))
   OR (p.item = 'oath_token' AND p.action = 'skip_device_limit')
GROUP BY p.user_id
ORDER BY p.user_id;
