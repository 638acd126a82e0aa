-- id: default_ignored_system_preferred
-- title: Defaults that system-preferred MFA will ignore
-- severity: info
-- why: With system-preferred MFA on, Entra prompts with the most secure registered method and ignores the
--   user's preferred method (except for the NPS extension and the AD FS adapter). The migrated default
--   has no visible effect for these users. Reported once for the tenant with the number of users, since
--   system-preferred MFA is usually on for nearly everyone.
-- remediation: Nothing to fix; expect users to be prompted for their strongest method rather than the
--   one they used on MFA Server, and tell the helpdesk.
WITH affected AS (
  SELECT count(*) AS users
  FROM __plan__ p
  JOIN rd_users u USING (user_id)
  WHERE p.item = 'default_method'
    AND p.action IN ('set_default', 'set_default_fallback')
    AND u.system_preferred_enabled
)
SELECT
  'tenant' AS subject_type,
  coalesce((SELECT any_value(tenant_id) FROM tenant_info), '') AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{} user(s) get a default method that system-preferred MFA ignores', a.users) AS detail
FROM affected a
WHERE a.users > 0;
