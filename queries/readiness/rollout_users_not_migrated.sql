-- id: rollout_users_not_migrated
-- title: Users routed to cloud MFA whose data is not migrated
-- severity: blocker
-- why: These users are in an enabled Staged Rollout policy for MFA (or the policy applies to the whole
--   organisation), so Entra already performs their MFA, but Entra does not hold their current MFA Server
--   methods: they are prompted to register or cannot complete MFA.
-- remediation: Migrate these users now (mfa-migrate batch, or the utility), or take them out of the
--   rollout group until their migration is verified.
WITH routed AS (
  SELECT DISTINCT m.member_id AS entra_id, r.group_name AS via
  FROM rd_rollout_groups r
  JOIN entra_group_members m ON m.group_id = r.group_id AND m.member_type = 'user'
  WHERE r.policy_enabled
  UNION ALL
  SELECT e.id, format('policy "{}" (whole organisation)', coalesce(p.display_name, p.id))
  FROM entra_rollout_policies p CROSS JOIN entra_users e
  WHERE lower(p.feature) = 'multifactorauthentication' AND p.is_enabled AND p.is_applied_to_organization
),
by_user AS (
  SELECT entra_id, string_agg(DISTINCT via, ', ') AS via FROM routed GROUP BY entra_id
)
SELECT
  'user' AS subject_type,
  CAST(u.user_id AS VARCHAR) AS subject_id,
  u.user_id,
  u.username,
  u.upn,
  CASE WHEN u.last_migrated_at IS NULL
       THEN format('routed to cloud MFA by {} but never migrated', b.via)
       ELSE format('routed to cloud MFA by {} but changed in MFA Server since its migration at {}', b.via, u.last_migrated_at)
  END AS detail
FROM rd_users u
JOIN by_user b ON hash(b.entra_id) = u.entra_key
WHERE u.counted AND NOT u.up_to_date
ORDER BY u.user_id;
