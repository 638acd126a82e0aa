-- id: devices_skipped
-- title: Authenticator devices and tokens the utility will skip
-- severity: warning
-- why: The utility keeps only the newest of same-named devices, migrates at most 5 devices (4 with a
--   hardware token), and skips anything that would pass Entra's 5-method limit (apps + software OATH +
--   hardware OATH, counting what the user already has in Entra). Skipped devices stop working after the
--   move.
-- remediation: Have the user remove stale devices in the MFA User Portal (or Entra) before migrating, or
--   plan re-registration of the skipped devices at aka.ms/mfasetup.
WITH skipped AS (
  SELECT
    p.user_id,
    count(*) AS total,
    count(*) FILTER (WHERE p.action = 'skip_duplicate_name') AS duplicate,
    count(*) FILTER (WHERE p.action = 'skip_over_max') AS over_max,
    count(*) FILTER (WHERE p.action = 'skip_device_limit' AND p.item = 'device') AS limit_device,
    count(*) FILTER (WHERE p.action = 'skip_device_limit' AND p.item = 'oath_token') AS limit_token
  FROM __plan__ p
  WHERE (p.item = 'device' AND p.action IN ('skip_duplicate_name', 'skip_over_max', 'skip_device_limit'))
     OR (p.item = 'oath_token' AND p.action = 'skip_device_limit')
  GROUP BY p.user_id
)
SELECT
  'user' AS subject_type,
  CAST(k.user_id AS VARCHAR) AS subject_id,
  k.user_id,
  u.username,
  u.upn,
  format('{} skipped: {}', k.total, concat_ws(', ',
    CASE WHEN k.duplicate > 0 THEN format('{} duplicate name', k.duplicate) END,
    CASE WHEN k.over_max > 0 THEN format('{} over the cap of 5 (4 with a hardware token)', k.over_max) END,
    CASE WHEN k.limit_device > 0 THEN format('{} device over the device limit', k.limit_device) END,
    CASE WHEN k.limit_token > 0 THEN 'hardware token over the device limit' END)) AS detail
FROM skipped k
JOIN rd_users u USING (user_id)
ORDER BY k.user_id;
