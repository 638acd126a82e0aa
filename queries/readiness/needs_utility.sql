-- id: needs_utility
-- title: Devices and software OATH tokens public Graph cannot write
-- severity: info
-- why: Public Graph can list and delete Authenticator registrations and software OATH tokens but cannot
--   create them. Only Microsoft's Migration Utility can carry these over; otherwise the user registers
--   again.
-- remediation: Add these users to the utility's migration group (mfa-migrate does this when it executes a
--   batch) or plan re-registration, e.g. with a Temporary Access Pass and a registration campaign.
WITH utility AS (
  SELECT
    p.user_id,
    count(*) FILTER (WHERE p.action = 'create_device') AS new_devices,
    count(*) FILTER (WHERE p.action = 'update_device') AS updates,
    count(*) FILTER (WHERE p.action = 'create_software_oath') AS software_oath,
    count(*) FILTER (WHERE p.action NOT IN ('create_device', 'update_device', 'create_software_oath')) AS other
  FROM __plan__ p
  WHERE p.writable = 'utility'
  GROUP BY p.user_id
)
SELECT
  'user' AS subject_type,
  CAST(t.user_id AS VARCHAR) AS subject_id,
  t.user_id,
  u.username,
  u.upn,
  concat_ws(', ',
    CASE WHEN t.new_devices > 0 THEN format('{} new Authenticator device(s)', t.new_devices) END,
    CASE WHEN t.updates > 0 THEN format('{} device update(s)', t.updates) END,
    CASE WHEN t.software_oath > 0
         THEN format('{} software OATH token(s) next to an existing Entra device', t.software_oath) END,
    CASE WHEN t.other > 0 THEN format('{} other change(s)', t.other) END
  ) || ': only the Migration Utility or re-registration can do this' AS detail
FROM utility t
JOIN rd_users u USING (user_id)
ORDER BY t.user_id;
