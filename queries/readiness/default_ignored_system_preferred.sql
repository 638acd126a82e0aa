-- id: default_ignored_system_preferred
-- title: Defaults that system-preferred MFA will ignore
-- severity: info
-- why: With system-preferred MFA on, Entra prompts with the most secure registered method and ignores the
--   user's preferred method (except for the NPS extension and the AD FS adapter). The migrated default
--   has no visible effect for these users.
-- remediation: Nothing to fix; expect users to be prompted for their strongest method rather than the
--   one they used on MFA Server.
SELECT
  'user' AS subject_type,
  CAST(p.user_id AS VARCHAR) AS subject_id,
  p.user_id,
  p.username,
  p.upn,
  format('default {} is set but system-preferred MFA is on', p.value) AS detail
FROM plan p
JOIN rd_users u USING (user_id)
WHERE p.item = 'default_method'
  AND p.action IN ('set_default', 'set_default_fallback')
  AND coalesce(u.system_preferred_enabled, false)
ORDER BY p.user_id;
