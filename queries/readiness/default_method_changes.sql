-- id: default_method_changes
-- title: Default methods that will change
-- severity: warning
-- why: The utility sets the user's default (preferred) method from MFA Server. Where Entra already has a
--   different default, users get a different prompt on their next sign-in, which generates helpdesk calls.
-- remediation: Tell these users, or set [migrate] default_method = "if_unset" to keep defaults that exist
--   in Entra.
SELECT
  'user' AS subject_type,
  CAST(p.user_id AS VARCHAR) AS subject_id,
  p.user_id,
  u.username,
  u.upn,
  format('default method changes from {} to {}', u.preferred_method, p.value) AS detail
FROM __plan__ p
JOIN rd_users u USING (user_id)
WHERE p.item = 'default_method'
  AND p.action IN ('set_default', 'set_default_fallback')
  AND u.preferred_method IS NOT NULL
  AND u.preferred_method <> p.value
ORDER BY p.user_id;
