-- id: entra_guest_users
-- title: Matched Entra accounts that are guests
-- severity: warning
-- why: Guests are not synced from on-premises AD, Staged Rollout cannot route them, and hardware OATH
--   tokens cannot be assigned to guests. A guest match is usually wrong.
-- remediation: Check the match (mail or UPN collisions with a B2B account); match the member account
--   instead, or remove the user from the migration.
SELECT
  'user' AS subject_type,
  CAST(u.user_id AS VARCHAR) AS subject_id,
  u.user_id,
  u.username,
  u.upn,
  format('Entra account {} is a guest', u.upn) AS detail
FROM rd_users u
WHERE u.counted
  AND u.entra_key IS NOT NULL
  AND u.is_guest
ORDER BY u.user_id;
