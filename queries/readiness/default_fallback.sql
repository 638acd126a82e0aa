-- id: default_fallback
-- title: Default methods the policy forces to a fallback
-- severity: warning
-- why: The user's MFA Server default is not available or not allowed in Entra, so the utility picks the
--   most secure method that is (push, oath, sms, voice). The user is prompted with something they did not
--   choose.
-- remediation: Enable the method in the authentication methods policy (Voice with office phones for
--   extensions), or tell the users which method becomes their default.
SELECT
  'user' AS subject_type,
  CAST(p.user_id AS VARCHAR) AS subject_id,
  p.user_id,
  u.username,
  u.upn,
  format('default becomes {} instead of the MFA Server {}: {}', p.value, u.method,
         coalesce(nullif(p.reason, ''), 'mapped method not available or not allowed')) AS detail
FROM __plan__ p
JOIN rd_users u USING (user_id)
WHERE p.item = 'default_method' AND p.action = 'set_default_fallback'
ORDER BY p.user_id;
