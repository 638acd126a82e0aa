-- id: rollout_dynamic_groups
-- title: Staged Rollout groups that are dynamic
-- severity: blocker
-- why: Staged Rollout does not support dynamic groups; Graph refuses to add them and a policy holding one
--   does not route its members.
-- remediation: Use an assigned security group: create one with the same members and target it instead.
SELECT
  'group' AS subject_type,
  r.group_id AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('group "{}" in rollout policy "{}" is dynamic (rule: {})', any_value(r.group_name),
         string_agg(DISTINCT r.policy_name, '", "'), coalesce(any_value(r.membership_rule), 'none')) AS detail
FROM rd_rollout_groups r
WHERE r.is_dynamic
GROUP BY r.group_id
ORDER BY r.group_id;
