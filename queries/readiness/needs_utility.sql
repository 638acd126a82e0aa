-- id: needs_utility
-- title: Devices and software OATH tokens public Graph cannot write
-- severity: info
-- why: Public Graph can list and delete Authenticator registrations and software OATH tokens but cannot
--   create them. Only Microsoft's Migration Utility can carry these over; otherwise the user registers
--   again.
-- remediation: Add these users to the utility's migration group (mfa-migrate does this when it executes a
--   batch) or plan re-registration, e.g. with a Temporary Access Pass and a registration campaign.
SELECT
  'user' AS subject_type,
  CAST(p.user_id AS VARCHAR) AS subject_id,
  p.user_id,
  any_value(p.username) AS username,
  any_value(p.upn) AS upn,
  concat_ws(', ',
    CASE WHEN count(*) FILTER (WHERE p.action = 'create_device') > 0
         THEN format('{} new Authenticator device(s)', count(*) FILTER (WHERE p.action = 'create_device')) END,
    CASE WHEN count(*) FILTER (WHERE p.action = 'update_device') > 0
         THEN format('{} device update(s)', count(*) FILTER (WHERE p.action = 'update_device')) END,
    CASE WHEN count(*) FILTER (WHERE p.action = 'create_software_oath') > 0
         THEN format('{} software OATH token(s) next to an existing Entra device',
                     count(*) FILTER (WHERE p.action = 'create_software_oath')) END,
    CASE WHEN count(*) FILTER (WHERE p.action NOT IN ('create_device', 'update_device', 'create_software_oath')) > 0
         THEN format('{} other change(s)', count(*) FILTER (WHERE p.action NOT IN ('create_device', 'update_device', 'create_software_oath'))) END
  ) || ': only the Migration Utility or re-registration can do this' AS detail
FROM plan p
WHERE p.writable = 'utility'
GROUP BY p.user_id
ORDER BY p.user_id;
