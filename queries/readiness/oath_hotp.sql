-- id: oath_hotp
-- title: HOTP hardware tokens
-- severity: warning
-- why: Entra supports time-based (TOTP) hardware tokens only. Event-based HOTP tokens cannot be migrated
--   and stop working when MFA moves to the cloud.
-- remediation: Issue these users a TOTP token (upload its seed file) or move them to the Authenticator
--   app before cut-over.
SELECT
  'oath_token' AS subject_type,
  CAST(p.user_id AS VARCHAR) || '/' || p.ref AS subject_id,
  p.user_id,
  u.username,
  u.upn,
  format('token {} is HOTP (event-based); Entra accepts TOTP only', p.ref) AS detail
FROM __plan__ p
JOIN rd_users u USING (user_id)
WHERE p.item = 'oath_token' AND p.action = 'unsupported_hotp'
ORDER BY p.user_id;
