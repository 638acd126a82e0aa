-- id: entra_user_disabled
-- title: Matched Entra accounts that are disabled
-- severity: warning
-- why: The migration writes methods to the Entra account even when it is disabled. Either the account is
--   stale (a wrong match) or the user cannot sign in anyway.
-- remediation: Check the match; disable or delete the MFA Server user if the person has left, or enable
--   the Entra account.
SELECT
  'user' AS subject_type,
  CAST(u.user_id AS VARCHAR) AS subject_id,
  u.user_id,
  u.username,
  u.upn,
  format('Entra account {} is disabled', u.upn) AS detail
FROM rd_users u
WHERE u.counted
  AND u.entra_key IS NOT NULL
  AND u.account_enabled = false
ORDER BY u.user_id;
