-- id: disabled_mfa_users
-- title: Disabled MFA Server users
-- severity: info
-- why: Disabled users are skipped by default ([scope] skip_disabled). Microsoft does not say whether the
--   utility skips them, so compare with the utility's own run; with skip_disabled = false they migrate
--   like everyone else.
-- remediation: Delete users who have left from MFA Server; re-enable those who still need MFA.
SELECT
  'user' AS subject_type,
  CAST(u.user_id AS VARCHAR) AS subject_id,
  u.user_id,
  u.username,
  u.upn,
  CASE WHEN s.skip_disabled THEN 'disabled in MFA Server: not migrated (skip_disabled = true)'
       ELSE 'disabled in MFA Server but migrated (skip_disabled = false)' END AS detail
FROM rd_users u
CROSS JOIN sim_settings s
WHERE NOT u.enabled
ORDER BY u.user_id;
