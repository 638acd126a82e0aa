-- id: ambiguous_matches
-- title: Users matched to more than one account
-- severity: blocker
-- why: A match step found several Entra users for one MFA Server user, or several MFA Server users landed
--   on the same Entra user. The tool refuses to guess which is right, so none of them are migrated.
-- remediation: Remove the duplicate (old UPN suffix, second MFA Server entry, copied mail or employeeId)
--   or choose a [match] attribute that is unique on both sides, then simulate again.
SELECT
  'user' AS subject_type,
  CAST(u.user_id AS VARCHAR) AS subject_id,
  u.user_id,
  u.username,
  NULL::VARCHAR AS upn,
  coalesce(nullif(u.user_reason, ''), 'more than one match') AS detail
FROM rd_users u
WHERE u.user_action = 'ambiguous' AND u.counted
ORDER BY u.user_id;
