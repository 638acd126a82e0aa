-- id: unmatched_users
-- title: MFA Server users with no Entra account
-- severity: blocker
-- why: The utility looks each user up by UPN, then SID, then the configured attribute. A user no step
--   finds is skipped without a word: none of their methods reach Entra, and once MFA moves to the cloud
--   they have nothing to sign in with.
-- remediation: Make the MFA Server username the user's UPN (not DOMAIN\sam), sync the account with Entra
--   Connect, or add a [match] step (sid, attribute) that finds it; delete MFA Server users who have left.
SELECT
  'user' AS subject_type,
  CAST(u.user_id AS VARCHAR) AS subject_id,
  u.user_id,
  u.username,
  NULL::VARCHAR AS upn,
  CASE
    WHEN u.username LIKE '%\%' THEN 'username has a DOMAIN\ prefix, so it cannot match a UPN; no later step matched either'
    ELSE coalesce(nullif(u.user_reason, ''), 'no match step found an Entra user')
  END AS detail
FROM rd_users u
WHERE u.user_action = 'unmatched' AND u.counted
ORDER BY u.user_id;
