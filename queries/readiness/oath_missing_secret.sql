-- id: oath_missing_secret
-- title: Hardware tokens without a secret
-- severity: warning
-- why: MFA Server holds a serial number but no secret key for these tokens, so nothing can be uploaded
--   to Entra; the token stops working after the move.
-- remediation: Get the token's seed from the vendor's seed file and upload it to Entra (CSV upload or
--   Graph beta), or give the user another method.
SELECT
  'oath_token' AS subject_type,
  CAST(p.user_id AS VARCHAR) || '/' || p.ref AS subject_id,
  p.user_id,
  u.username,
  u.upn,
  format('token {} has no secret key in MFA Server', p.ref) AS detail
FROM __plan__ p
JOIN rd_users u USING (user_id)
WHERE p.item = 'oath_token' AND p.action = 'missing_secret'
ORDER BY p.user_id;
