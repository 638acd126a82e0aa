-- id: entra_methods_unreadable
-- title: Users whose Entra methods the snapshot could not read
-- severity: warning
-- why: The simulator compares against the user's current Entra methods (phones, devices, default). When
--   the snapshot failed to read them, noop, overwrite and device-limit predictions for the user are
--   guesses.
-- remediation: Take the snapshot again (mfa-migrate snapshot) once the error is resolved, e.g. missing
--   UserAuthenticationMethod.Read.All consent or throttling.
SELECT
  'user' AS subject_type,
  CAST(u.user_id AS VARCHAR) AS subject_id,
  u.user_id,
  u.username,
  u.upn,
  format('unknown: the snapshot could not read the Entra methods: {}', u.methods_error) AS detail
FROM rd_users u
WHERE u.counted
  AND u.entra_key IS NOT NULL
  AND u.methods_error IS NOT NULL
ORDER BY u.user_id;
