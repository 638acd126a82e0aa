-- id: rollout_nested_groups
-- title: Staged Rollout groups with nested groups
-- severity: blocker
-- why: Staged Rollout ignores nested groups: members of a group inside the rollout group are not routed
--   to cloud MFA. (The Migration Utility follows nesting; Staged Rollout does not.)
-- remediation: Add the users to the rollout group directly (flatten it), or add the nested group itself
--   to the policy (at most 10 groups).
SELECT
  'group' AS subject_type,
  r.group_id AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('group "{}" in rollout policy "{}" has {} nested group(s)', any_value(r.group_name),
         string_agg(DISTINCT r.policy_name, '", "'), count(DISTINCT m.member_id)) AS detail
FROM rd_rollout_groups r
JOIN entra_group_members m ON m.group_id = r.group_id AND m.member_type = 'group'
GROUP BY r.group_id
ORDER BY r.group_id;
