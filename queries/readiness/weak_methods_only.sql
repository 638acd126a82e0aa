-- id: weak_methods_only
-- title: Users who will only have SMS or voice
-- severity: info
-- why: Phone methods are the weakest MFA methods (SIM swap, call forwarding). Migrating them keeps these
--   users on SMS or voice; Microsoft recommends moving them to Authenticator or a passkey.
-- remediation: Run an Authenticator registration campaign for these users after (or instead of)
--   migrating their phones.
SELECT
  'user' AS subject_type,
  CAST(a.user_id AS VARCHAR) AS subject_id,
  a.user_id,
  u.username,
  u.upn,
  'only ' || concat_ws(', ',
      CASE WHEN a.mobile THEN 'mobile phone' END,
      CASE WHEN a.alternate THEN 'alternate phone' END,
      CASE WHEN a.office THEN 'office phone' END) || ' after the plan' AS detail
FROM rd_after a
JOIN rd_users u USING (user_id)
WHERE u.counted AND NOT a.unknown AND a.phone AND NOT a.strong
ORDER BY a.user_id;
