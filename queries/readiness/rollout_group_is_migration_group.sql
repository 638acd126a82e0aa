-- id: rollout_group_is_migration_group
-- title: The same group is used for migration and Staged Rollout
-- severity: warning
-- why: Microsoft recommends separate groups: a user added to a group that both syncs their data and
--   routes them to cloud MFA can be routed before their data has been written.
-- remediation: Use one group for the Migration Utility ([scope] group) and another for Staged Rollout;
--   add users to the rollout group only after their migration is verified.
SELECT
  'group' AS subject_type,
  r.group_id AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('group "{}" is the migration group ([scope] group = "{}") and is targeted by rollout policy "{}"',
         any_value(r.group_name), any_value(s.scope_group), string_agg(DISTINCT r.policy_name, '", "')) AS detail
FROM rd_rollout_groups r
CROSS JOIN sim_settings s
WHERE s.scope_group <> '' AND (r.group_id = s.scope_group OR r.group_name = s.scope_group)
GROUP BY r.group_id
ORDER BY r.group_id;
